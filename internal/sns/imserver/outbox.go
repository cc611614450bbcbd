package imserver

import (
	"errors"

	"github.com/imictl/imictl/internal/sns/imstore"
)

// Outbox lists the queued calls f selects: pending, parked (with the
// peer's reason) and the recently delivered.
func (s *Server) Outbox(f imstore.OutboxFilter) ([]imstore.OutboxItem, error) {
	return s.st.ListOutbox(f)
}

// RetryOutbox makes a parked or pending item due now (id > 0), or every
// undelivered item of destination, and wakes the destination's worker. It
// returns how many items were rescheduled.
func (s *Server) RetryOutbox(id uint64, destination string) (int, error) {
	if id > 0 {
		it, err := s.st.RetryNow(id)
		if err != nil {
			return 0, err
		}
		s.out.wake(it.Destination)
		return 1, nil
	}
	if destination == "" {
		return 0, invalid(errors.New("name an outbox item or a destination to retry"))
	}
	n, err := s.st.RetryDestination(destination)
	if err == nil && n > 0 {
		s.out.wake(destination)
	}
	return n, err
}

// DropOutbox gives up on an undelivered item, unblocking its conversation.
func (s *Server) DropOutbox(id uint64) (imstore.OutboxItem, error) {
	it, err := s.st.DropOutboxItem(id)
	if err == nil {
		s.out.wake(it.Destination)
	}
	return it, err
}

package mgmt

import (
	"context"
	"slices"
	"time"

	"github.com/imictl/imictl/internal/mgmt/store"
)

// Notifications lists the change notifications (the outbox) f selects.
func (s *Service) Notifications(_ context.Context, f store.OutboxFilter) ([]store.OutboxEntry, error) {
	return s.st.ListOutbox(f)
}

// RetryNotifications makes the pending notifications for destination due
// now (every destination when it is ""), wakes the notifier, and returns
// how many were rescheduled.
func (s *Service) RetryNotifications(_ context.Context, destination, actor string) (int, error) {
	dests := []string{destination}
	if destination == "" {
		pending, err := s.st.ListOutbox(store.OutboxFilter{State: store.OutboxPending})
		if err != nil {
			return 0, err
		}
		dests = nil
		for _, e := range pending {
			if !slices.Contains(dests, e.Destination) {
				dests = append(dests, e.Destination)
			}
		}
	}
	total := 0
	for _, d := range dests {
		n, err := s.st.RetryDestination(actor, d)
		total += n
		if err != nil {
			return total, err
		}
	}
	if total > 0 {
		s.changed()
	}
	return total, nil
}

// QueuedChanges lists the changes not yet expanded into notifications.
func (s *Service) QueuedChanges(context.Context) ([]store.OutboxChange, error) {
	return s.st.Expanding()
}

// DestinationState summarises the outbox for one destination, as `imictl
// admin notifications` shows it.
type DestinationState struct {
	Destination   string    `json:"destination"`
	Pending       int       `json:"pending"`
	Delivered     int       `json:"delivered"`
	Attempts      int       `json:"attempts"`               // failed attempts of its oldest pending entry
	OldestPending time.Time `json:"oldestPending,omitzero"` // when that entry was queued
	NextAttemptAt time.Time `json:"nextAttemptAt,omitzero"` // the earliest retry
	LastError     string    `json:"lastError,omitempty"`    // of its oldest pending entry
	LastDelivered time.Time `json:"lastDelivered,omitzero"`
}

// SummarizeNotifications groups outbox entries by destination, in
// destination order.
func SummarizeNotifications(entries []store.OutboxEntry) []DestinationState {
	by := map[string]*DestinationState{}
	var order []string
	for _, e := range entries {
		d := by[e.Destination]
		if d == nil {
			d = &DestinationState{Destination: e.Destination}
			by[e.Destination] = d
			order = append(order, e.Destination)
		}
		switch e.State {
		case store.OutboxDelivered:
			d.Delivered++
			if e.DeliveredAt.After(d.LastDelivered) {
				d.LastDelivered = e.DeliveredAt
			}
		case store.OutboxPending:
			d.Pending++
			if d.OldestPending.IsZero() || e.CreatedAt.Before(d.OldestPending) {
				d.OldestPending, d.Attempts, d.LastError = e.CreatedAt, e.Attempts, e.LastError
			}
			if d.NextAttemptAt.IsZero() || e.NextAttemptAt.Before(d.NextAttemptAt) {
				d.NextAttemptAt = e.NextAttemptAt
			}
		}
	}
	slices.Sort(order)
	out := make([]DestinationState, len(order))
	for i, dest := range order {
		out[i] = *by[dest]
	}
	return out
}

// Audit lists audit entries in the order they were written.
func (s *Service) Audit(_ context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	return s.st.Audit(f)
}

package imserver

import (
	"slices"
	"time"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// parkRetry says what brings a parked call back (docs/PROTOCOL.md 6.3). A
// refusal that names a condition which can end, and which the directory
// shows ending, is retried automatically: the peer suspended, unknown
// (not registered yet), refusing us by policy, or its certificate (or
// ours) unusable or not the one expected. Every other refusal (wrong_sender,
// bad_request, unknown_user, duplicate_conflict...) says the call itself
// is wrong and would be refused again: it waits for an administrator.
func parkRetry(reason string) imstore.ParkRetry {
	switch httpsig.Reason(reason) {
	case httpsig.ReasonServerSuspended, httpsig.ReasonUnknownServer, httpsig.ReasonForbiddenByPolicy,
		httpsig.ReasonCertExpired, httpsig.ReasonCertRevoked, httpsig.ReasonCertInvalid, httpsig.ReasonUnexpectedOrigin:
		return imstore.RetryAutomatic
	}
	return imstore.RetryManual
}

// retryParked makes the automatically retried parked calls due again, with
// backoff, once the directory shows their condition gone: serverIDs are
// the records just stored (a notification, M3, or a lookup), nil after a
// full refresh or a change of this server's own policy. A destination is
// retried when its record is there with status 0, and this server's own
// record (when known) has status 0 too; one named by host:port, whose
// record cannot be told, at every full refresh. A call whose condition
// has not in fact ended is refused again and parked again, its attempts
// (and so its next backoff) grown.
func (s *Server) retryParked(serverIDs []string) {
	if self, err := s.st.GetDirEntry(s.self); err == nil && self.Status != httpsig.StatusNormal {
		return // while we are suspended, every peer refuses us
	}
	all := serverIDs == nil || slices.Contains(serverIDs, s.self)
	dests, err := s.st.Destinations()
	if err != nil {
		s.log.Error("listing the outbox to retry parked calls failed", "err", err)
		return
	}
	for _, d := range dests {
		if d.Parked == 0 || !s.conditionsGone(d.Destination, all, serverIDs) {
			continue
		}
		n, err := s.st.RetryParked(d.Destination, s.parkedBackoff)
		if err != nil {
			s.log.Error("retrying parked calls failed", "destination", d.Destination, "err", err)
			continue
		}
		if n > 0 {
			s.log.Info("the directory shows what parked calls waited for; retrying them", "destination", d.Destination, "count", n)
			s.out.wake(d.Destination)
		}
	}
}

// conditionsGone says whether the directory now lets dest be called.
func (s *Server) conditionsGone(dest string, all bool, serverIDs []string) bool {
	a, err := wire.ParseAddress("x@" + dest)
	if err != nil {
		return false
	}
	if !a.IsDirectory() {
		return serverIDs == nil
	}
	if !all && !slices.Contains(serverIDs, a.ServerID) {
		return false
	}
	e, err := s.st.GetDirEntry(a.ServerID)
	return err == nil && e.Status == httpsig.StatusNormal
}

// parkedBackoff is when a parked call brought back is tried again: the
// delivery backoff for the attempts it has made, so that a condition that
// comes and goes is not met by a burst of calls.
func (s *Server) parkedBackoff(it imstore.OutboxItem) time.Time {
	return time.Now().Add(backoff(it.Attempts, time.Duration(s.cfg.Delivery.RetryBase), time.Duration(s.cfg.Delivery.RetryMax)))
}

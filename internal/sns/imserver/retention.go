package imserver

import (
	"context"
	"time"
)

// pruneBatch bounds the messages one pruning transaction deletes, so that
// the deliveries waiting behind it are not held up.
const pruneBatch = 1000

// pruneLoop deletes the messages older than the retention, at start and
// then every hour, until ctx ends. Without a retention it returns at once.
func (s *Server) pruneLoop(ctx context.Context) {
	retention := time.Duration(s.cfg.Retention)
	if retention <= 0 {
		return
	}
	for {
		s.prune(time.Now().Add(-retention))
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}

// prune deletes the messages older than cutoff, a batch per transaction,
// and logs how many.
func (s *Server) prune(cutoff time.Time) int {
	total := 0
	for more := true; more; {
		var n int
		var err error
		n, more, err = s.st.PruneMessages(cutoff, pruneBatch)
		total += n
		if err != nil {
			s.log.Warn("pruning old messages failed; will try again", "err", err, "pruned", total)
			return total
		}
	}
	if total > 0 {
		s.log.Info("pruned messages past the retention", "count", total, "before", cutoff.UTC().Format(time.RFC3339))
	}
	return total
}

package store

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// OutboxState of a notification.
type OutboxState string

const (
	OutboxPending   OutboxState = "pending"
	OutboxDelivered OutboxState = "delivered"
)

// OutboxEntry is one change notification (interface M3) to deliver: tell
// Destination that Subject changed, i.e. POST {"serverId": Subject} to
// Destination's receivenotify. The transaction that makes the change queues
// them as one OutboxChange, so a change is never committed without its
// notifications; ExpandChanges turns it into entries (fanout.go), which
// survive restarts until delivered.
type OutboxEntry struct {
	ID            uint64      `json:"id"`
	Destination   string      `json:"destination"` // serverId to notify
	Subject       string      `json:"subject"`     // serverId that changed
	State         OutboxState `json:"state"`
	Attempts      int         `json:"attempts"`
	NextAttemptAt time.Time   `json:"nextAttemptAt"`
	LastError     string      `json:"lastError,omitempty"`
	CreatedAt     time.Time   `json:"createdAt"`
	DeliveredAt   time.Time   `json:"deliveredAt,omitzero"`
}

// OutboxFilter selects outbox entries; zero values select everything.
type OutboxFilter struct {
	Destination string
	State       OutboxState
	Limit       int // at most this many, oldest first (0 = no limit)
}

// enqueue queues the notification to dest that subject changed at
// changedAt, due now.
func (t *txn) enqueue(dest, subject string, changedAt time.Time) error {
	b := t.b(bucketOutbox)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	e := OutboxEntry{ID: id, Destination: dest, Subject: subject, State: OutboxPending, NextAttemptAt: t.now, CreatedAt: changedAt}
	if err := boltdb.Put(b, boltdb.U64(id), e); err != nil {
		return err
	}
	return t.b(bucketOutboxDue).Put(dueKey(e), []byte(dest))
}

// dueKey orders pending entries by next attempt, then by id.
func dueKey(e OutboxEntry) []byte {
	ms := max(e.NextAttemptAt.UnixMilli(), 0)
	return append(boltdb.U64(uint64(ms)), boltdb.U64(e.ID)...)
}

func (t *txn) outboxEntry(id uint64) (OutboxEntry, error) {
	e, ok, err := boltdb.Get[OutboxEntry](t.b(bucketOutbox), boltdb.U64(id))
	if err != nil {
		return e, fmt.Errorf("outbox entry %d: %w", id, err)
	}
	if !ok {
		return e, &NotFoundError{Kind: "outbox entry", Key: strconv.FormatUint(id, 10)}
	}
	return e, nil
}

// reschedule moves a pending entry to a new next-attempt time (or, when
// delivered, out of the due index) and stores it.
func (t *txn) reschedule(e OutboxEntry, update func(*OutboxEntry)) error {
	due := t.b(bucketOutboxDue)
	if err := due.Delete(dueKey(e)); err != nil {
		return err
	}
	update(&e)
	if e.State == OutboxPending {
		if err := due.Put(dueKey(e), []byte(e.Destination)); err != nil {
			return err
		}
	}
	return boltdb.Put(t.b(bucketOutbox), boltdb.U64(e.ID), e)
}

// DueOutbox returns up to limit pending entries whose next attempt is at or
// before now, earliest first. A notifier should keep one delivery in flight
// per destination; entries for the same destination come in id order.
func (s *Store) DueOutbox(now time.Time, limit int) ([]OutboxEntry, error) {
	var out []OutboxEntry
	end := boltdb.U64(uint64(max(now.UnixMilli(), 0)) + 1)
	err := s.view(func(t *txn) error {
		c := t.b(bucketOutboxDue).Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.Next() {
			if limit > 0 && len(out) == limit {
				break
			}
			e, err := t.outboxEntry(boltdb.Btou(k[8:]))
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// MarkDelivered records a successful delivery. Marking a delivered entry
// again is a no-op.
func (s *Store) MarkDelivered(id uint64) error {
	return s.update(func(t *txn) error {
		e, err := t.outboxEntry(id)
		if err != nil || e.State == OutboxDelivered {
			return err
		}
		return t.reschedule(e, func(e *OutboxEntry) {
			e.State, e.DeliveredAt, e.LastError = OutboxDelivered, t.now, ""
			e.Attempts++
		})
	})
}

// MarkFailed records a failed attempt and when to try again (the notifier
// owns the backoff policy). A delivered entry is refused
// (ErrOutboxEntryNotReady): its delivery already succeeded.
func (s *Store) MarkFailed(id uint64, nextAttemptAt time.Time, reason string) error {
	return s.update(func(t *txn) error {
		e, err := t.outboxEntry(id)
		if err != nil {
			return err
		}
		if e.State != OutboxPending {
			return fmt.Errorf("%w: entry %d was delivered at %s", ErrOutboxEntryNotReady, id, e.DeliveredAt.Format(time.RFC3339))
		}
		return t.reschedule(e, func(e *OutboxEntry) {
			e.Attempts++
			e.NextAttemptAt, e.LastError = nextAttemptAt.UTC(), reason
		})
	})
}

// RetryDestination makes every pending entry for destination due now (an
// administrator's "try again", e.g. after the peer is fixed) and returns how
// many there were. It reschedules retryBatch entries per transaction,
// within etcd's default limits, and audits the total in the last one.
func (s *Store) RetryDestination(actor, destination string) (int, error) {
	if err := requireActor(actor); err != nil {
		return 0, err
	}
	var ids []uint64
	err := s.view(func(t *txn) error {
		return t.b(bucketOutboxDue).ForEach(func(k, dest []byte) error {
			if string(dest) == destination {
				ids = append(ids, boltdb.Btou(k[8:]))
			}
			return nil
		})
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	n := 0
	for len(ids) > 0 {
		batch := ids[:min(len(ids), retryBatch)]
		ids = ids[len(batch):]
		done := 0
		err := s.update(func(t *txn) error {
			done = 0
			for _, id := range batch {
				e, err := t.outboxEntry(id)
				if errors.Is(err, ErrNotFound) || err == nil && e.State != OutboxPending {
					continue // delivered (and pruned) meanwhile
				}
				if err != nil {
					return err
				}
				if err := t.reschedule(e, func(e *OutboxEntry) { e.NextAttemptAt = t.now }); err != nil {
					return err
				}
				done++
			}
			if len(ids) > 0 || n+done == 0 {
				return nil
			}
			return t.audit(actor, ActionOutboxRetry, destination, fmt.Sprintf("%d pending notifications", n+done))
		})
		if err != nil {
			return n, err
		}
		n += done
	}
	return n, nil
}

// retryBatch is how many entries RetryDestination reschedules per
// transaction: three writes each, and the audit entry.
const retryBatch = 30

// RetryEntry makes one pending entry due now.
func (s *Store) RetryEntry(actor string, id uint64) error {
	if err := requireActor(actor); err != nil {
		return err
	}
	return s.update(func(t *txn) error {
		e, err := t.outboxEntry(id)
		if err != nil {
			return err
		}
		if e.State != OutboxPending {
			return fmt.Errorf("%w: entry %d was delivered at %s; nothing to retry", ErrOutboxEntryNotReady, id, e.DeliveredAt.Format(time.RFC3339))
		}
		if err := t.retry(id); err != nil {
			return err
		}
		return t.audit(actor, ActionOutboxRetry, strconv.FormatUint(id, 10), "to "+e.Destination)
	})
}

func (t *txn) retry(id uint64) error {
	e, err := t.outboxEntry(id)
	if err != nil {
		return err
	}
	return t.reschedule(e, func(e *OutboxEntry) { e.NextAttemptAt = t.now })
}

// ListOutbox returns the entries f selects, oldest first.
func (s *Store) ListOutbox(f OutboxFilter) ([]OutboxEntry, error) {
	var out []OutboxEntry
	err := s.view(func(t *txn) error {
		c := t.b(bucketOutbox).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			e, err := boltdb.Decode[OutboxEntry](v)
			if err != nil {
				return fmt.Errorf("outbox entry %d: %w", boltdb.Btou(k), err)
			}
			if (f.Destination == "" || e.Destination == f.Destination) && (f.State == "" || e.State == f.State) {
				out = append(out, e)
				if f.Limit > 0 && len(out) == f.Limit {
					break
				}
			}
		}
		return nil
	})
	return out, err
}

// PruneOutbox deletes up to limit delivered entries (oldest first) that were
// delivered before before, and returns how many it deleted. Every change
// queues one entry per active server, so a notifier calls this periodically
// to keep the store from growing without bound. It deletes copyBatch
// entries per transaction, within etcd's default limits.
func (s *Store) PruneOutbox(before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, boltdb.Invalid("limit", "%d; prune at least one entry per call", limit)
	}
	total := 0
	for total < limit {
		n, err := s.pruneBatch(before, min(limit-total, copyBatch))
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, nil
}

func (s *Store) pruneBatch(before time.Time, limit int) (int, error) {
	n := 0
	err := s.update(func(t *txn) error {
		// Collect first: deleting under a bbolt cursor makes Next skip a key.
		b := t.b(bucketOutbox)
		var doomed [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil && len(doomed) < limit; k, v = c.Next() {
			e, err := boltdb.Decode[OutboxEntry](v)
			if err != nil {
				return fmt.Errorf("outbox entry %d: %w", boltdb.Btou(k), err)
			}
			if e.State == OutboxDelivered && e.DeliveredAt.Before(before) {
				doomed = append(doomed, bytes.Clone(k))
			}
		}
		for _, k := range doomed {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(doomed)
		return nil
	})
	return n, err
}

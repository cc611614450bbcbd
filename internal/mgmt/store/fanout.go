package store

import (
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// A change notifies every active server, which on a national network is
// tens of thousands of outbox entries: far more than one etcd transaction
// takes (128 operations by default) and a slow bbolt one. So the change's
// own transaction queues one OutboxChange, atomic and durable with the
// change, and ExpandChanges turns it into per-destination OutboxEntry
// records afterwards, a bounded batch per transaction. Each batch also
// moves the change's cursor (the last destination expanded) in the same
// transaction, so a crash between batches resumes after the last one that
// committed: no destination gets two entries for one change, nor none.
// Changes are expanded one after another, oldest first, so that a
// destination's entries stay in the order of the changes.
//
// The destinations are the servers active when their batch is expanded,
// moments after the change: a server suspended in between is not told
// (it re-reads the directory when resumed), one approved in between is
// told once more than it needs.

// OutboxChange is a change whose notifications are not all queued yet.
type OutboxChange struct {
	ID        uint64    `json:"id"`
	Subject   string    `json:"subject"` // serverId that changed
	Clock     int64     `json:"clock"`   // the change clock value of the change
	CreatedAt time.Time `json:"createdAt"`
	// Expanded is the last destination (in serverId order) queued so
	// far; "" before the first batch.
	Expanded string `json:"expanded,omitempty"`
}

// Destinations expanded per transaction: etcd's default limit of 128
// operations per transaction takes two writes per destination plus a few;
// bbolt's cost per transaction is its fsync, so it takes more at once.
const (
	boltExpandBatch = 256
	etcdExpandBatch = 50
)

// notifyAll queues the notification that subject changed to every server
// with status 0 except subject itself, as one OutboxChange.
func (t *txn) notifyAll(subject string) error {
	b := t.b(bucketOutboxChanges)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	return boltdb.Put(b, boltdb.U64(id), OutboxChange{ID: id, Subject: subject, Clock: t.clock(), CreatedAt: t.now})
}

// ExpandChanges queues the per-destination entries of the oldest change
// not yet expanded, at most one batch of destinations in one transaction,
// and reports whether changes remain to expand. The notifier calls it
// until it reports none (on etcd only the elected replica does, so that
// replicas do not compete for the same batch; they would be correct, one
// run again). Safe to call concurrently and after a crash at any point.
func (s *Store) ExpandChanges() (more bool, err error) {
	err = s.update(func(t *txn) error {
		more = false
		changes := t.b(bucketOutboxChanges)
		k, v := changes.Cursor().First()
		if k == nil {
			return nil
		}
		ch, err := boltdb.Decode[OutboxChange](v)
		if err != nil {
			return fmt.Errorf("outbox change %d: %w", boltdb.Btou(k), err)
		}
		c := t.b(bucketServersActive).Cursor()
		dest, _ := c.First()
		if ch.Expanded != "" {
			dest, _ = c.Seek(append([]byte(ch.Expanded), 0))
		}
		for n := 0; dest != nil && n < s.expandBatch; dest, _ = c.Next() {
			if string(dest) == ch.Subject {
				continue
			}
			if err := t.enqueue(string(dest), ch.Subject, ch.CreatedAt); err != nil {
				return err
			}
			ch.Expanded = string(dest)
			n++
		}
		if dest == nil {
			// Every destination is queued: the change is done.
			if err := changes.Delete(k); err != nil {
				return err
			}
			next, _ := changes.Cursor().First()
			more = next != nil
			return nil
		}
		more = true
		return boltdb.Put(changes, k, ch)
	})
	return more, err
}

// Expanding lists the changes whose notifications are not all queued yet,
// oldest first (the imictl_notification_changes_expanding gauge, and the
// note `admin notifications` prints under its table).
func (s *Store) Expanding() ([]OutboxChange, error) {
	out := []OutboxChange{}
	err := s.view(func(t *txn) error {
		return t.b(bucketOutboxChanges).ForEach(func(k, v []byte) error {
			ch, err := boltdb.Decode[OutboxChange](v)
			if err != nil {
				return fmt.Errorf("outbox change %d: %w", boltdb.Btou(k), err)
			}
			out = append(out, ch)
			return nil
		})
	})
	return out, err
}

package imstore

import (
	"bytes"
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// PruneInbox deletes the inbox messages received before before, with their
// entries in the dedup index, oldest first in each user's inbox, at most
// limit of them (limit > 0) in one transaction, and the repeals recorded
// before before; it returns how many messages it deleted (call it again
// while that is limit). Sent lists, group history and files are kept.
//
// The dedup index is the receiver's memory of what it took: a peer that
// sends a pruned message again (a retry after a lost answer) has it
// delivered anew, so a retention must be longer than any peer retries.
func (s *Store) PruneInbox(before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, boltdb.Invalid("limit", "want a positive number of messages per transaction")
	}
	var pruned int
	err := s.update(func(t *txn) error {
		pruned = 0
		type old struct{ key, id []byte }
		var olds []old
		inbox := t.b(bucketInbox)
		c := inbox.Cursor()
		users := t.b(bucketUsers).Cursor()
		for user, _ := users.First(); user != nil && len(olds) < limit; user, _ = users.Next() {
			p := prefix(string(user))
			for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p) && len(olds) < limit; k, v = c.Next() {
				m, err := boltdb.Decode[InboxMessage](v)
				if err != nil {
					return fmt.Errorf("inbox message %d of %s: %w", tailSeq(k), user, err)
				}
				if !m.ReceivedAt.Before(before) {
					break // the rest of this inbox is newer
				}
				olds = append(olds, old{key: bytes.Clone(k), id: key(m.MessageID, string(user))})
			}
		}
		ids := t.b(bucketInboxIDs)
		for _, o := range olds {
			if err := inbox.Delete(o.key); err != nil {
				return err
			}
			if err := ids.Delete(o.id); err != nil {
				return err
			}
		}
		pruned = len(olds)
		return t.pruneRepeals(before)
	})
	return pruned, err
}

// pruneRepeals deletes the repeals recorded before before.
func (t *txn) pruneRepeals(before time.Time) error {
	reps := t.b(bucketRepeals)
	var old [][]byte
	err := reps.ForEach(func(k, v []byte) error {
		r, err := boltdb.Decode[Repeal](v)
		if err != nil {
			return fmt.Errorf("repeal of %s: %w", k, err)
		}
		if r.At.Before(before) {
			old = append(old, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		if err := reps.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

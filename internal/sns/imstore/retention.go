package imstore

import (
	"bytes"
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// PruneMessages deletes the messages older than before: the inbox copies
// received before it, with their entries in the dedup index, the sent
// copies sent before it, and the repeals recorded before it. Each user's
// oldest go first, at most limit (> 0) inbox and limit sent copies in one
// transaction; more says that a limit was reached (call it again). Group
// history and files are kept.
//
// The dedup index is the receiver's memory of what it took: a peer that
// sends a pruned message again (a retry after a lost answer) has it
// delivered anew, so a retention must be longer than any peer retries. A
// pending delivery of a pruned sent message still goes out (the outbox
// holds its call); the message can no longer be revoked.
func (s *Store) PruneMessages(before time.Time, limit int) (pruned int, more bool, err error) {
	if limit <= 0 {
		return 0, false, boltdb.Invalid("limit", "want a positive number of messages per transaction")
	}
	err = s.update(func(t *txn) error {
		inbox, err := t.pruneInbox(before, limit)
		if err != nil {
			return err
		}
		sent, err := t.pruneSent(before, limit)
		if err != nil {
			return err
		}
		pruned, more = inbox+sent, inbox == limit || sent == limit
		return t.pruneRepeals(before)
	})
	return pruned, more, err
}

// pruneInbox deletes up to limit inbox copies received before before.
func (t *txn) pruneInbox(before time.Time, limit int) (int, error) {
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
				return 0, fmt.Errorf("inbox message %d of %s: %w", tailSeq(k), user, err)
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
			return 0, err
		}
		if err := ids.Delete(o.id); err != nil {
			return 0, err
		}
	}
	return len(olds), nil
}

// pruneSent deletes up to limit sent copies sent before before.
func (t *txn) pruneSent(before time.Time, limit int) (int, error) {
	type old struct{ key, id []byte }
	var olds []old
	byUser := t.b(bucketSentByUser)
	c := byUser.Cursor()
	users := t.b(bucketUsers).Cursor()
	for user, _ := users.First(); user != nil && len(olds) < limit; user, _ = users.Next() {
		p := prefix(string(user))
		for k, id := c.Seek(p); k != nil && bytes.HasPrefix(k, p) && len(olds) < limit; k, id = c.Next() {
			m, err := t.sent(string(id))
			if err != nil {
				return 0, err
			}
			if !m.SentAt.Before(before) {
				break // the rest of this user's sent list is newer
			}
			olds = append(olds, old{key: bytes.Clone(k), id: bytes.Clone(id)})
		}
	}
	sent := t.b(bucketSent)
	for _, o := range olds {
		if err := byUser.Delete(o.key); err != nil {
			return 0, err
		}
		if err := sent.Delete(o.id); err != nil {
			return 0, err
		}
	}
	return len(olds), nil
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

package imstore

import (
	"bytes"
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// PruneMessages deletes the messages older than before: the inbox copies
// received before it, with their entries in the dedup index, the sent
// copies sent before it, the group history (of the groups this server
// hosts) before it, and the repeals recorded before it. Each user's or
// group's oldest go first, at most limit (> 0) of each kind in one
// transaction; more says that a limit was reached (call it again). Files
// are kept.
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
		group, err := t.pruneGroupHistory(before, limit)
		if err != nil {
			return err
		}
		pruned, more = inbox+sent+group, inbox == limit || sent == limit || group == limit
		return t.pruneRepeals(before)
	})
	return pruned, more, err
}

// pruneInbox deletes up to limit inbox copies received before before.
func (t *txn) pruneInbox(before time.Time, limit int) (int, error) {
	return t.pruneOldest(bucketUsers, bucketInbox, limit, func(user string, v []byte) ([]deletion, bool, error) {
		m, err := boltdb.Decode[InboxMessage](v)
		if err != nil || !m.ReceivedAt.Before(before) {
			return nil, false, err
		}
		return []deletion{{bucketInboxIDs, key(m.MessageID, user)}}, true, nil
	})
}

// pruneSent deletes up to limit sent copies sent before before.
func (t *txn) pruneSent(before time.Time, limit int) (int, error) {
	return t.pruneOldest(bucketUsers, bucketSentByUser, limit, func(_ string, id []byte) ([]deletion, bool, error) {
		m, err := t.sent(string(id))
		if err != nil || !m.SentAt.Before(before) {
			return nil, false, err
		}
		return []deletion{{bucketSent, bytes.Clone(id)}}, true, nil
	})
}

// pruneGroupHistory deletes up to limit messages of the hosted groups'
// history sent before before.
func (t *txn) pruneGroupHistory(before time.Time, limit int) (int, error) {
	return t.pruneOldest(bucketGroups, bucketGroupMessages, limit, func(_ string, v []byte) ([]deletion, bool, error) {
		m, err := boltdb.Decode[GroupMessage](v)
		if err != nil || !m.At.Before(before) {
			return nil, false, err
		}
		return []deletion{{bucketGroupMessageIDs, []byte(m.MessageID)}}, true, nil
	})
}

// deletion is a key to delete from a bucket.
type deletion struct{ bucket, key []byte }

// pruneOldest walks, for each key of owners (the users, the groups), its
// range in bucket name (keyed owner 0x00 u64 seq, so oldest first) and
// deletes up to limit entries that old says are old, with the entries
// elsewhere it names; it moves to the next owner at the first entry that
// is not old.
func (t *txn) pruneOldest(owners, name []byte, limit int, old func(owner string, v []byte) ([]deletion, bool, error)) (int, error) {
	var dels []deletion
	n := 0
	c := t.b(name).Cursor()
	each := t.b(owners).Cursor()
	for owner, _ := each.First(); owner != nil && n < limit; owner, _ = each.Next() {
		p := prefix(string(owner))
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p) && n < limit; k, v = c.Next() {
			also, ok, err := old(string(owner), v)
			if err != nil {
				return 0, fmt.Errorf("%s entry %d of %s is unreadable (%w); restore a backup", name, tailSeq(k), owner, err)
			}
			if !ok {
				break
			}
			dels = append(append(dels, deletion{name, bytes.Clone(k)}), also...)
			n++
		}
	}
	for _, d := range dels {
		if err := t.b(d.bucket).Delete(d.key); err != nil {
			return 0, err
		}
	}
	return n, nil
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

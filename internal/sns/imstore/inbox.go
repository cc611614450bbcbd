package imstore

import (
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// InboxMessage is a message delivered to a local user.
type InboxMessage struct {
	Seq  uint64 `json:"seq"`  // arrival order, increasing across all users
	User string `json:"user"` // the local user whose inbox holds it
	Message
	ReceivedAt time.Time `json:"receivedAt"`
	Revocation
}

// Repeal records that a message was revoked, whether or not it had arrived.
type Repeal struct {
	MessageID string    `json:"messageID"`
	By        string    `json:"by"` // the server that revoked it: the message's origin
	At        time.Time `json:"at"`
}

// DeliverLocal stores msg in user's inbox, exactly once per (messageID,
// user): a duplicate (a peer retrying after a lost answer) returns the
// stored message and duplicate=true and writes nothing. A message whose
// repeal arrived first is stored already revoked. The user must exist.
// Seq, ReceivedAt and the revocation are set here.
func (s *Store) DeliverLocal(user string, msg Message) (InboxMessage, bool, error) {
	if err := msg.check(); err != nil {
		return InboxMessage{}, false, err
	}
	var out InboxMessage
	var dup bool
	err := s.batch(func(t *txn) error {
		var err error
		out, dup, err = t.deliverLocal(user, msg) // set afresh on a second run
		return err
	})
	if err != nil {
		return InboxMessage{}, false, err
	}
	return out, dup, nil
}

// deliverLocal is DeliverLocal inside a transaction, for the callers that
// deliver along with other writes (a group message to its local members).
func (t *txn) deliverLocal(user string, msg Message) (InboxMessage, bool, error) {
	if err := t.hasUser(user); err != nil {
		return InboxMessage{}, false, err
	}
	ids := t.b(bucketInboxIDs)
	if seq := ids.Get(key(msg.MessageID, user)); seq != nil {
		existing, ok, err := boltdb.Get[InboxMessage](t.b(bucketInbox), seqKey(boltdb.Btou(seq), user))
		if err != nil || !ok {
			return InboxMessage{}, false, fmt.Errorf("inbox index names message %s of %s but it is missing or unreadable (%v); restore a backup", msg.MessageID, user, err)
		}
		return existing, true, nil
	}
	inbox := t.b(bucketInbox)
	seq, err := inbox.NextSequence()
	if err != nil {
		return InboxMessage{}, false, err
	}
	out := InboxMessage{Seq: seq, User: user, Message: msg, ReceivedAt: t.now}
	r, ok, err := boltdb.Get[Repeal](t.b(bucketRepeals), []byte(msg.MessageID))
	if err != nil {
		return InboxMessage{}, false, fmt.Errorf("repeal of %s: %w", msg.MessageID, err)
	}
	if ok {
		out.Revoked, out.RevokedAt = true, r.At
	}
	if err := boltdb.Put(inbox, seqKey(seq, user), out); err != nil {
		return InboxMessage{}, false, err
	}
	return out, false, ids.Put(key(msg.MessageID, user), boltdb.U64(seq))
}

// Inbox returns up to limit messages of user with Seq > afterSeq, oldest
// first (limit <= 0: all). Page by passing the last Seq seen.
func (s *Store) Inbox(user string, afterSeq uint64, limit int) ([]InboxMessage, error) {
	var out []InboxMessage
	err := s.view(func(t *txn) error {
		if _, err := t.user(user); err != nil {
			return err
		}
		p := prefix(user)
		c := t.b(bucketInbox).Cursor()
		for k, v := c.Seek(seqKey(afterSeq+1, user)); k != nil && len(k) == len(p)+8 && string(k[:len(p)]) == string(p); k, v = c.Next() {
			m, err := boltdb.Decode[InboxMessage](v)
			if err != nil {
				return fmt.Errorf("inbox message %d of %s: %w", tailSeq(k), user, err)
			}
			out = append(out, m)
			if limit > 0 && len(out) == limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// InboxMessageByID returns the copy of messageID in user's inbox.
func (s *Store) InboxMessageByID(user, messageID string) (InboxMessage, error) {
	var out InboxMessage
	err := s.view(func(t *txn) error {
		seq := t.b(bucketInboxIDs).Get(key(messageID, user))
		if seq == nil {
			return &NotFoundError{Kind: "message", Key: messageID}
		}
		m, ok, err := boltdb.Get[InboxMessage](t.b(bucketInbox), seqKey(boltdb.Btou(seq), user))
		if err != nil || !ok {
			return fmt.Errorf("inbox index names message %s of %s but it is missing or unreadable (%v); restore a backup", messageID, user, err)
		}
		out = m
		return nil
	})
	return out, err
}

// Repeal revokes messageID in every local inbox that holds it, on behalf of
// byServer, the authenticated peer (or this server, for a local sender).
// Only the message's origin may revoke it: the server part of messageID
// must equal byServer, else a *ForbiddenError. The repeal is remembered, so
// a copy arriving later (delivery is not ordered across conversations, and
// a group message reaches several users) is stored already revoked; a
// repeated repeal changes nothing and succeeds. It returns the inbox
// copies it revoked now.
func (s *Store) Repeal(messageID, byServer string) ([]InboxMessage, error) {
	id, a, err := canonicalAddress("messageID", messageID)
	if err != nil {
		return nil, err
	}
	if byServer == "" || a.Domain() != byServer {
		return nil, &ForbiddenError{Reason: fmt.Sprintf("message %s was made by %s; only that server may revoke it, not %q", id, a.Domain(), byServer)}
	}
	var out []InboxMessage
	err = s.batch(func(t *txn) error {
		var err error
		out, err = t.repeal(id, byServer)
		return err
	})
	return out, err
}

// repeal records the tombstone (once) and revokes the inbox copies.
func (t *txn) repeal(messageID, by string) ([]InboxMessage, error) {
	reps := t.b(bucketRepeals)
	at := t.now
	if r, ok, err := boltdb.Get[Repeal](reps, []byte(messageID)); err != nil {
		return nil, fmt.Errorf("repeal of %s: %w", messageID, err)
	} else if ok {
		at = r.At
	} else if err := boltdb.Put(reps, []byte(messageID), Repeal{MessageID: messageID, By: by, At: at}); err != nil {
		return nil, err
	}
	type copyRef struct {
		user string
		seq  uint64
	}
	var refs []copyRef
	p := prefix(messageID)
	err := forPrefix(t.b(bucketInboxIDs), p, func(k, v []byte) (bool, error) {
		refs = append(refs, copyRef{user: string(k[len(p):]), seq: boltdb.Btou(v)})
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	var out []InboxMessage
	inbox := t.b(bucketInbox)
	for _, r := range refs {
		m, ok, err := boltdb.Get[InboxMessage](inbox, seqKey(r.seq, r.user))
		if err != nil || !ok {
			return nil, fmt.Errorf("inbox index names message %s of %s but it is missing or unreadable (%v); restore a backup", messageID, r.user, err)
		}
		if m.Revoked {
			continue
		}
		m.Revoked, m.RevokedAt = true, at
		if err := boltdb.Put(inbox, seqKey(r.seq, r.user), m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// GetRepeal returns the recorded repeal of messageID, if any.
func (s *Store) GetRepeal(messageID string) (Repeal, bool, error) {
	var r Repeal
	var ok bool
	err := s.view(func(t *txn) error {
		var err error
		r, ok, err = boltdb.Get[Repeal](t.b(bucketRepeals), []byte(messageID))
		return err
	})
	return r, ok, err
}

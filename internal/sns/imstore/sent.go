package imstore

import (
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// SentMessage is a message a local user sent, kept so that the user can see
// it and so that only its sender can revoke it.
type SentMessage struct {
	Seq  uint64 `json:"seq"`  // send order, increasing across all users
	User string `json:"user"` // the local sender
	Message
	SentAt time.Time `json:"sentAt"`
	Revocation
}

// RecordSent records that local user sent msg and, in the same
// transaction, queues sends (the S1 calls to the recipients' servers), so
// that a send acknowledged to the user is already durable in the outbox.
// The messageID must be new (*ExistsError otherwise). A message to a
// local recipient is SendLocal's.
func (s *Store) RecordSent(user string, msg Message, sends ...Send) (SentMessage, error) {
	if err := msg.check(); err != nil {
		return SentMessage{}, err
	}
	if err := checkSends(sends); err != nil {
		return SentMessage{}, err
	}
	return s.recordSentWith(user, msg, func(t *txn) error { return t.enqueueAll(sends) })
}

// SendLocal records msg as sent by user and delivers it to the local user
// to, in one transaction: both or neither, whatever a crash interrupts, and
// one commit instead of two.
func (s *Store) SendLocal(user, to string, msg Message) (SentMessage, error) {
	if err := msg.check(); err != nil {
		return SentMessage{}, err
	}
	return s.recordSentWith(user, msg, func(t *txn) error {
		_, _, err := t.deliverLocal(to, msg)
		return err
	})
}

// recordSentWith records msg as sent by user and runs also in the same
// transaction.
func (s *Store) recordSentWith(user string, msg Message, also func(*txn) error) (SentMessage, error) {
	var out SentMessage
	err := s.batch(func(t *txn) error {
		var err error
		if out, err = t.recordSent(user, msg); err != nil { // set afresh on a second run
			return err
		}
		return also(t)
	})
	if err != nil {
		return SentMessage{}, err
	}
	return out, nil
}

// recordSent is RecordSent's record, inside a transaction.
func (t *txn) recordSent(user string, msg Message) (SentMessage, error) {
	if err := t.hasUser(user); err != nil {
		return SentMessage{}, err
	}
	sent := t.b(bucketSent)
	if sent.Get([]byte(msg.MessageID)) != nil {
		return SentMessage{}, &ExistsError{Kind: "message", Key: msg.MessageID}
	}
	byUser := t.b(bucketSentByUser)
	seq, err := byUser.NextSequence()
	if err != nil {
		return SentMessage{}, err
	}
	out := SentMessage{Seq: seq, User: user, Message: msg, SentAt: t.now}
	if err := boltdb.Put(sent, []byte(msg.MessageID), out); err != nil {
		return SentMessage{}, err
	}
	return out, byUser.Put(seqKey(seq, user), []byte(msg.MessageID))
}

func (t *txn) sent(messageID string) (SentMessage, error) {
	m, ok, err := boltdb.Get[SentMessage](t.b(bucketSent), []byte(messageID))
	if err != nil {
		return m, fmt.Errorf("sent message %s: %w", messageID, err)
	}
	if !ok {
		return m, &NotFoundError{Kind: "sent message", Key: messageID}
	}
	return m, nil
}

// GetSent returns a sent message by id.
func (s *Store) GetSent(messageID string) (SentMessage, error) {
	var m SentMessage
	err := s.view(func(t *txn) error {
		var err error
		m, err = t.sent(messageID)
		return err
	})
	return m, err
}

// SentBy returns up to limit messages user sent with Seq > afterSeq,
// oldest first (limit <= 0: all).
func (s *Store) SentBy(user string, afterSeq uint64, limit int) ([]SentMessage, error) {
	var out []SentMessage
	err := s.view(func(t *txn) error {
		if _, err := t.user(user); err != nil {
			return err
		}
		p := prefix(user)
		c := t.b(bucketSentByUser).Cursor()
		for k, id := c.Seek(seqKey(afterSeq+1, user)); k != nil && len(k) == len(p)+8 && string(k[:len(p)]) == string(p); k, id = c.Next() {
			m, err := t.sent(string(id))
			if err != nil {
				return err
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

// RepealSent revokes a message local user sent: only its sender may
// (*ForbiddenError otherwise). In one transaction it marks the sent record
// revoked, revokes any local inbox copies (as Repeal by the message's
// origin) and queues sends (the repeal messages to remote recipients). A
// message already revoked is returned unchanged and nothing is queued
// again. It returns the sent record and the inbox copies revoked now.
func (s *Store) RepealSent(user, messageID string, sends ...Send) (SentMessage, []InboxMessage, error) {
	if err := checkSends(sends); err != nil {
		return SentMessage{}, nil, err
	}
	var out SentMessage
	var revoked []InboxMessage
	err := s.update(func(t *txn) error {
		m, err := t.sent(messageID)
		if err != nil {
			return err
		}
		if m.User != user {
			return &ForbiddenError{Reason: fmt.Sprintf("message %s was sent by %s; only its sender may revoke it, not %s", messageID, m.User, user)}
		}
		out = m
		if m.Revoked {
			return nil
		}
		out.Revoked, out.RevokedAt = true, t.now
		if err := boltdb.Put(t.b(bucketSent), []byte(messageID), out); err != nil {
			return err
		}
		origin, err := OriginOf(messageID)
		if err != nil {
			return err
		}
		if revoked, err = t.repeal(messageID, origin); err != nil {
			return err
		}
		return t.enqueueAll(sends)
	})
	if err != nil {
		return SentMessage{}, nil, err
	}
	return out, revoked, nil
}

package imstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/imictl/imictl/internal/boltdb"
)

// OutboxState of an outbox item.
type OutboxState string

const (
	// OutboxPending: to be delivered at NextAttemptAt or later.
	OutboxPending OutboxState = "pending"
	// OutboxParked: the peer refused it (4xx); it waits, blocking its own
	// conversation, until it is retried (automatically when its Retry is
	// RetryAutomatic, see RetryParked) or dropped.
	OutboxParked OutboxState = "parked"
	// OutboxDelivered: the peer accepted it; kept as bounded history.
	OutboxDelivered OutboxState = "delivered"
)

// ParkRetry says what brings a parked item back: its refusal names a
// condition that can end (RetryAutomatic: the server retries it when the
// directory shows the condition gone) or one that cannot (RetryManual: an
// administrator retries or drops it).
type ParkRetry string

const (
	RetryAutomatic ParkRetry = "automatic"
	RetryManual    ParkRetry = "manual"
)

// MaxBody bounds an outbox item's body: a messageInfo or friend request is
// a few kilobytes; files travel separately (S2).
const MaxBody = 1 << 20

// Send is one signed call to make to a peer server: POST Path with Body.
// Methods that change local state and must tell a peer (RecordSent,
// RecordOutgoingRequest, Accept, Refuse, DeleteFriend, RepealSent) take
// Sends and queue them in the same transaction, so a change acknowledged
// to a user is never lost before it reaches the peer.
type Send struct {
	// Destination is the peer server: a serverId, or host:port for ids of
	// the form user@host:port. It should be what the peer authenticates as,
	// because FileID grants download rights to exactly this string.
	Destination string
	// Conversation orders delivery: items of one conversation are delivered
	// one at a time in enqueue order. Use DirectConversation(from, to).
	Conversation string
	// Path of the call, e.g. "/sns/chat" (a query string is allowed).
	Path string
	// Body is the JSON request body. It is stored re-encoded compactly
	// (encoding/json's RawMessage rules); sign what Due returns.
	Body json.RawMessage
	// MessageID, optional, names the message this carries (admin display).
	MessageID string
	// FileID, optional: a file the message carries; Destination may then
	// download it (MayDownload).
	FileID string
}

// DirectConversation is the conversation key of one-to-one traffic from one
// user to another; a group's traffic uses GroupConversation ("g:").
func DirectConversation(from, to string) string { return "d:" + from + ">" + to }

// OutboxItem is one queued call to a peer.
type OutboxItem struct {
	ID            uint64          `json:"id"`
	Destination   string          `json:"destination"`
	Conversation  string          `json:"conversation"`
	Path          string          `json:"path"`
	Body          json.RawMessage `json:"body"`
	MessageID     string          `json:"messageID,omitempty"`
	FileID        string          `json:"fileID,omitempty"`
	State         OutboxState     `json:"state"`
	Attempts      int             `json:"attempts"`
	NextAttemptAt time.Time       `json:"nextAttemptAt"`
	LastError     string          `json:"lastError,omitempty"`
	// Reason is the stable word of the refusal that parked the item (e.g.
	// server_suspended), Retry what brings it back; both only while parked.
	Reason      string    `json:"reason,omitempty"`
	Retry       ParkRetry `json:"retry,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	DeliveredAt time.Time `json:"deliveredAt,omitzero"`
}

// DestinationStats summarises the undelivered items for one peer.
type DestinationStats struct {
	Destination string `json:"destination"`
	Pending     int    `json:"pending"`
	Parked      int    `json:"parked"`
	// NextAttemptAt is the earliest next attempt among pending items, zero
	// when none is pending.
	NextAttemptAt time.Time `json:"nextAttemptAt,omitzero"`
	// OldestCreatedAt is when the oldest undelivered item was queued.
	OldestCreatedAt time.Time `json:"oldestCreatedAt,omitzero"`
}

// OutboxFilter selects outbox items; zero values select everything.
type OutboxFilter struct {
	Destination string
	State       OutboxState
	AfterID     uint64 // only items with a greater id (paging)
	Limit       int    // at most this many, oldest first (0 = no limit)
}

func checkSend(s *Send) error {
	var err error
	if s.Destination, err = canonicalDestination("destination", s.Destination); err != nil {
		return err
	}
	if err := checkText("conversation", s.Conversation, maxConvLen, true); err != nil {
		return err
	}
	if err := checkText("path", s.Path, maxPathLen, true); err != nil {
		return err
	}
	if !strings.HasPrefix(s.Path, "/") {
		return boltdb.Invalid("path", "%q: want an absolute path such as /sns/chat", s.Path)
	}
	if len(s.Body) > MaxBody {
		return boltdb.Invalid("body", "%d bytes, at most %d", len(s.Body), MaxBody)
	}
	if !json.Valid(s.Body) {
		return boltdb.Invalid("body", "not valid JSON")
	}
	if s.MessageID != "" {
		if s.MessageID, _, err = canonicalAddress("messageID", s.MessageID); err != nil {
			return err
		}
	}
	if s.FileID != "" {
		if s.FileID, _, err = canonicalAddress("fileID", s.FileID); err != nil {
			return err
		}
	}
	return nil
}

// checkSends validates every send before a transaction starts.
func checkSends(sends []Send) error {
	for i := range sends {
		if err := checkSend(&sends[i]); err != nil {
			return fmt.Errorf("send %d: %w", i+1, err)
		}
	}
	return nil
}

// Enqueue queues one call on its own. Most callers queue through the
// method that records the change the call announces.
func (s *Store) Enqueue(send Send) (OutboxItem, error) {
	if err := checkSend(&send); err != nil {
		return OutboxItem{}, err
	}
	var item OutboxItem
	err := s.update(func(t *txn) error {
		var err error
		item, err = t.enqueue(send)
		return err
	})
	return item, err
}

// enqueueAll queues checked sends.
func (t *txn) enqueueAll(sends []Send) error {
	for _, s := range sends {
		if _, err := t.enqueue(s); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) enqueue(s Send) (OutboxItem, error) {
	b := t.b(bucketOutbox)
	id, err := b.NextSequence()
	if err != nil {
		return OutboxItem{}, err
	}
	item := OutboxItem{
		ID: id, Destination: s.Destination, Conversation: s.Conversation, Path: s.Path, Body: s.Body,
		MessageID: s.MessageID, FileID: s.FileID,
		State: OutboxPending, NextAttemptAt: t.now, CreatedAt: t.now,
	}
	if err := boltdb.Put(b, boltdb.U64(id), item); err != nil {
		return OutboxItem{}, err
	}
	if err := t.b(bucketOutboxQueue).Put(queueKey(item), nil); err != nil {
		return OutboxItem{}, err
	}
	if s.FileID != "" {
		if err := t.b(bucketFileRecipients).Put(key(s.FileID, s.Destination), nil); err != nil {
			return OutboxItem{}, err
		}
	}
	return item, nil
}

func queueKey(it OutboxItem) []byte { return seqKey(it.ID, it.Destination, it.Conversation) }

func (t *txn) outboxItem(id uint64) (OutboxItem, error) {
	it, ok, err := boltdb.Get[OutboxItem](t.b(bucketOutbox), boltdb.U64(id))
	if err != nil {
		return it, fmt.Errorf("outbox item %d: %w", id, err)
	}
	if !ok {
		return it, &NotFoundError{Kind: "outbox item", Key: strconv.FormatUint(id, 10)}
	}
	return it, nil
}

// heads calls fn with the oldest undelivered item of each conversation
// queued for destination, in conversation order, until fn returns false.
func (t *txn) heads(destination string, fn func(OutboxItem) bool) error {
	p := prefix(destination)
	c := t.b(bucketOutboxQueue).Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); {
		it, err := t.outboxItem(tailSeq(k))
		if err != nil {
			return err
		}
		if !fn(it) {
			return nil
		}
		// Skip the rest of this conversation: every one of its keys is
		// destination 0x00 conversation 0x00 seq, below ... 0x01.
		next := append(key(destination, it.Conversation), 1)
		k, _ = c.Seek(next)
	}
	return nil
}

// Due returns what the destination's worker may send now: for each
// conversation only its oldest undelivered item, and only if that item is
// pending and due (a parked or not-yet-due head holds its conversation
// back, keeping order), up to window items across conversations. Items
// stay pending until marked, so Due returns an item in flight again: the
// worker skips ids it is already sending.
func (s *Store) Due(destination string, now time.Time, window int) ([]OutboxItem, error) {
	if window <= 0 {
		return nil, boltdb.Invalid("window", "%d; want at least 1", window)
	}
	var out []OutboxItem
	err := s.view(func(t *txn) error {
		return t.heads(destination, func(it OutboxItem) bool {
			if it.State == OutboxPending && !it.NextAttemptAt.After(now) {
				out = append(out, it)
			}
			return len(out) < window
		})
	})
	return out, err
}

// NextDue is the earliest NextAttemptAt among the destination's
// conversation heads that are pending; false if there is none (nothing to
// do until something is enqueued or retried).
func (s *Store) NextDue(destination string) (time.Time, bool, error) {
	var next time.Time
	found := false
	err := s.view(func(t *txn) error {
		return t.heads(destination, func(it OutboxItem) bool {
			if it.State == OutboxPending && (!found || it.NextAttemptAt.Before(next)) {
				next, found = it.NextAttemptAt, true
			}
			return true
		})
	})
	return next, found, err
}

// change loads an undelivered item, checks it is in one of the allowed
// states, applies update and stores it, keeping the queue index in step.
func (t *txn) change(id uint64, allowed []OutboxState, update func(*OutboxItem)) (OutboxItem, error) {
	it, err := t.outboxItem(id)
	if err != nil {
		return it, err
	}
	ok := false
	var want []string
	for _, st := range allowed {
		ok = ok || it.State == st
		want = append(want, string(st))
	}
	if !ok {
		return it, &StateError{Kind: "outbox item", Key: strconv.FormatUint(id, 10), State: string(it.State), Want: strings.Join(want, " or ")}
	}
	update(&it)
	if it.State == OutboxDelivered {
		if err := t.b(bucketOutboxQueue).Delete(queueKey(it)); err != nil {
			return it, err
		}
	}
	return it, boltdb.Put(t.b(bucketOutbox), boltdb.U64(id), it)
}

// MarkDelivered records a successful delivery: the item leaves the queue,
// so its conversation's next item becomes due. Marking it again is a no-op.
// The oldest delivered items beyond Options.DeliveredHistory are deleted.
//
// Losing a mark would be harmless (after a crash the item is sent again
// and the receiver answers success without storing it twice: S1 dedupes
// by messageID, and S5–S7 and repeals are idempotent), but it must be
// visible before the worker reads the outbox again, or the item would be
// handed out and sent twice while the server runs. So it returns once
// committed, like every write; concurrent marks share the commit.
func (s *Store) MarkDelivered(id uint64) error {
	return s.batch(func(t *txn) error {
		it, err := t.outboxItem(id)
		if err != nil || it.State == OutboxDelivered {
			return err
		}
		if _, err := t.change(id, []OutboxState{OutboxPending, OutboxParked}, func(it *OutboxItem) {
			it.State, it.DeliveredAt, it.LastError, it.Reason, it.Retry = OutboxDelivered, t.now, "", "", ""
			it.Attempts++
		}); err != nil {
			return err
		}
		return t.keepDelivered(id, s.history)
	})
}

// keepDelivered indexes a delivered item and deletes the oldest ones
// beyond limit. The done bucket's sequence counts its entries.
func (t *txn) keepDelivered(id uint64, limit int) error {
	done := t.b(bucketOutboxDone)
	if err := done.Put(boltdb.U64(id), nil); err != nil {
		return err
	}
	n := done.Sequence() + 1
	for ; n > uint64(limit); n-- {
		k, _ := done.Cursor().First()
		if k == nil {
			break
		}
		old := boltdb.Btou(k)
		if err := done.Delete(k); err != nil {
			return err
		}
		if err := t.b(bucketOutbox).Delete(boltdb.U64(old)); err != nil {
			return err
		}
	}
	return done.SetSequence(n)
}

// MarkRetry records a failed attempt (network error, 5xx) and when to try
// again; the worker owns the backoff. Only a pending item can be retried.
func (s *Store) MarkRetry(id uint64, nextAttemptAt time.Time, reason string) error {
	return s.batch(func(t *txn) error {
		_, err := t.change(id, []OutboxState{OutboxPending}, func(it *OutboxItem) {
			it.Attempts++
			it.NextAttemptAt, it.LastError = nextAttemptAt.UTC(), clip(reason)
		})
		return err
	})
}

// Park records a refusal (4xx): reason is its stable word, why the whole
// error, retry what brings it back. The item stays first in its
// conversation, which waits (order is kept) until RetryParked (automatic
// items), RetryNow or DropOutboxItem; other conversations proceed.
func (s *Store) Park(id uint64, reason, why string, retry ParkRetry) error {
	return s.batch(func(t *txn) error {
		_, err := t.change(id, []OutboxState{OutboxPending}, func(it *OutboxItem) {
			it.Attempts++
			it.State, it.LastError, it.Reason, it.Retry = OutboxParked, clip(why), clip(reason), retry
		})
		return err
	})
}

// RetryParked makes destination's parked items whose Retry is
// RetryAutomatic pending again, each due at next(item) (the caller's
// backoff), and returns how many. Manual ones stay parked.
func (s *Store) RetryParked(destination string, next func(OutboxItem) time.Time) (int, error) {
	n := 0
	err := s.update(func(t *txn) error {
		n = 0 // this may be a second run
		var ids []uint64
		err := forPrefix(t.b(bucketOutboxQueue), prefix(destination), func(k, _ []byte) (bool, error) {
			it, err := t.outboxItem(tailSeq(k))
			if err == nil && it.State == OutboxParked && it.Retry == RetryAutomatic {
				ids = append(ids, it.ID)
			}
			return err == nil, err
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := t.change(id, []OutboxState{OutboxParked}, func(it *OutboxItem) {
				it.State, it.NextAttemptAt = OutboxPending, next(*it).UTC()
				it.Reason, it.Retry = "", ""
			}); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// RetryNow makes a pending or parked item due now (an administrator's
// "try again").
func (s *Store) RetryNow(id uint64) (OutboxItem, error) {
	var it OutboxItem
	err := s.update(func(t *txn) error {
		var err error
		it, err = t.change(id, []OutboxState{OutboxPending, OutboxParked}, func(it *OutboxItem) {
			it.State, it.NextAttemptAt, it.Reason, it.Retry = OutboxPending, t.now, "", ""
		})
		return err
	})
	return it, err
}

// RetryDestination makes every undelivered item for destination due now
// (e.g. after the peer is fixed) and returns how many there were.
func (s *Store) RetryDestination(destination string) (int, error) {
	n := 0
	err := s.update(func(t *txn) error {
		var ids []uint64
		err := forPrefix(t.b(bucketOutboxQueue), prefix(destination), func(k, _ []byte) (bool, error) {
			ids = append(ids, tailSeq(k))
			return true, nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := t.change(id, []OutboxState{OutboxPending, OutboxParked}, func(it *OutboxItem) {
				it.State, it.NextAttemptAt, it.Reason, it.Retry = OutboxPending, t.now, "", ""
			}); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// DropOutboxItem deletes an undelivered item (an administrator giving up on
// it), unblocking its conversation, and returns what was dropped.
func (s *Store) DropOutboxItem(id uint64) (OutboxItem, error) {
	var it OutboxItem
	err := s.update(func(t *txn) error {
		var err error
		if it, err = t.outboxItem(id); err != nil {
			return err
		}
		if it.State == OutboxDelivered {
			return &StateError{Kind: "outbox item", Key: strconv.FormatUint(id, 10), State: string(it.State), Want: "pending or parked"}
		}
		if err := t.b(bucketOutboxQueue).Delete(queueKey(it)); err != nil {
			return err
		}
		return t.b(bucketOutbox).Delete(boltdb.U64(id))
	})
	return it, err
}

// GetOutboxItem returns one item.
func (s *Store) GetOutboxItem(id uint64) (OutboxItem, error) {
	var it OutboxItem
	err := s.view(func(t *txn) error {
		var err error
		it, err = t.outboxItem(id)
		return err
	})
	return it, err
}

// ListOutbox returns the items f selects, oldest first.
func (s *Store) ListOutbox(f OutboxFilter) ([]OutboxItem, error) {
	var out []OutboxItem
	err := s.view(func(t *txn) error {
		c := t.b(bucketOutbox).Cursor()
		for k, v := c.Seek(boltdb.U64(f.AfterID + 1)); k != nil; k, v = c.Next() {
			it, err := boltdb.Decode[OutboxItem](v)
			if err != nil {
				return fmt.Errorf("outbox item %d: %w", boltdb.Btou(k), err)
			}
			if (f.Destination == "" || it.Destination == f.Destination) && (f.State == "" || it.State == f.State) {
				out = append(out, it)
				if f.Limit > 0 && len(out) == f.Limit {
					break
				}
			}
		}
		return nil
	})
	return out, err
}

// Destinations lists every peer with undelivered items, ordered by
// destination: what a restarted server starts workers for.
func (s *Store) Destinations() ([]DestinationStats, error) {
	var out []DestinationStats
	err := s.view(func(t *txn) error {
		return t.b(bucketOutboxQueue).ForEach(func(k, _ []byte) error {
			it, err := t.outboxItem(tailSeq(k))
			if err != nil {
				return err
			}
			if len(out) == 0 || out[len(out)-1].Destination != it.Destination {
				out = append(out, DestinationStats{Destination: it.Destination})
			}
			d := &out[len(out)-1]
			if d.OldestCreatedAt.IsZero() || it.CreatedAt.Before(d.OldestCreatedAt) {
				d.OldestCreatedAt = it.CreatedAt
			}
			if it.State == OutboxParked {
				d.Parked++
				return nil
			}
			d.Pending++
			if d.NextAttemptAt.IsZero() || it.NextAttemptAt.Before(d.NextAttemptAt) {
				d.NextAttemptAt = it.NextAttemptAt
			}
			return nil
		})
	})
	return out, err
}

// clip makes an error text safe to store and show: at most maxReasonLen
// bytes of valid UTF-8, control characters replaced by spaces.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) <= maxReasonLen {
		return s
	}
	cut := maxReasonLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

package imstore

import (
	"fmt"
	"strconv"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// Direction of a friend request, seen from this server.
type Direction string

const (
	Incoming Direction = "incoming" // a peer asked a local user (S5 received)
	Outgoing Direction = "outgoing" // a local user asked a peer (S5 sent)
)

// RequestState of a friend request.
type RequestState string

const (
	RequestPending  RequestState = "pending"
	RequestAccepted RequestState = "accepted"
	RequestRefused  RequestState = "refused"
)

// FriendRequest is one request to become friends between a local user and
// a peer (a full address "user@serverId", or another local user id).
type FriendRequest struct {
	ID        uint64       `json:"id"`
	Direction Direction    `json:"direction"`
	User      string       `json:"user"` // the local user
	Peer      string       `json:"peer"` // the other side
	Remark    string       `json:"remark,omitempty"`
	Requester Profile      `json:"requester"` // snapshot of who asked: Peer if incoming, User if outgoing
	State     RequestState `json:"state"`
	At        time.Time    `json:"at"` // when it was (last) asked
	DecidedAt time.Time    `json:"decidedAt,omitzero"`
}

// Friend is one side of a friendship: Owner (a local user) has Peer as a
// friend. The other side lives in the peer's server's store (or in this
// store, under the other local user, when both are local).
type Friend struct {
	Owner     string    `json:"owner"`
	Peer      string    `json:"peer"`
	Remark    string    `json:"remark,omitempty"` // the owner's remark (备注) on the peer
	Profile   Profile   `json:"profile,omitzero"` // the peer's userInfo as last received
	Since     time.Time `json:"since"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// requestIndexKey names the latest request in one direction between two
// users; the record's state says whether it is still open.
func requestIndexKey(d Direction, user, peer string) []byte { return key(string(d), user, peer) }

func friendKey(owner, peer string) []byte { return key(owner, peer) }

// checkPair validates the local user id and canonicalises the peer.
func checkPair(user, peer string) (string, error) {
	if err := CheckUserID(user); err != nil {
		return "", err
	}
	p, err := canonicalPeer("peer", peer)
	if err != nil {
		return "", err
	}
	if p == user {
		return "", boltdb.Invalid("peer", "%q is the user itself", peer)
	}
	return p, nil
}

func (t *txn) request(id uint64) (FriendRequest, error) {
	r, ok, err := boltdb.Get[FriendRequest](t.b(bucketFriendRequests), boltdb.U64(id))
	if err != nil {
		return r, fmt.Errorf("friend request %d: %w", id, err)
	}
	if !ok {
		return r, &NotFoundError{Kind: "friend request", Key: strconv.FormatUint(id, 10)}
	}
	return r, nil
}

// latestRequest returns the latest request in direction d between user and
// peer, and false if there was none.
func (t *txn) latestRequest(d Direction, user, peer string) (FriendRequest, bool, error) {
	v := t.b(bucketFriendRequestsOpen).Get(requestIndexKey(d, user, peer))
	if v == nil {
		return FriendRequest{}, false, nil
	}
	r, err := t.request(boltdb.Btou(v))
	return r, err == nil, err
}

// ask stores a new request or refreshes the pending one of the same
// direction and pair (a repeated S5 must not create a second request).
func (t *txn) ask(d Direction, user, peer, remark string, requester Profile) (FriendRequest, error) {
	r, ok, err := t.latestRequest(d, user, peer)
	if err != nil {
		return r, err
	}
	if !ok || r.State != RequestPending {
		id, err := t.b(bucketFriendRequests).NextSequence()
		if err != nil {
			return r, err
		}
		r = FriendRequest{ID: id, Direction: d, User: user, Peer: peer, State: RequestPending}
		if err := t.b(bucketFriendRequestsOpen).Put(requestIndexKey(d, user, peer), boltdb.U64(id)); err != nil {
			return r, err
		}
	}
	r.Remark, r.Requester, r.At = remark, requester, t.now
	return r, boltdb.Put(t.b(bucketFriendRequests), boltdb.U64(r.ID), r)
}

// RecordOutgoingRequest records that local user asks peer to be friends,
// with the user's current profile as the requester snapshot, and queues
// sends (the S5 call) in the same transaction. Asking again while a
// request is pending refreshes it (remark, time) instead of adding one.
func (s *Store) RecordOutgoingRequest(user, peer, remark string, sends ...Send) (FriendRequest, error) {
	peer, err := checkPair(user, peer)
	if err != nil {
		return FriendRequest{}, err
	}
	if err := checkText("remark", remark, maxRemarkLen, false); err != nil {
		return FriendRequest{}, err
	}
	if err := checkSends(sends); err != nil {
		return FriendRequest{}, err
	}
	var r FriendRequest
	err = s.update(func(t *txn) error {
		if r, err = t.askOutgoing(user, peer, remark); err != nil {
			return err
		}
		return t.enqueueAll(sends)
	})
	return r, err
}

// askOutgoing records user's request to peer, with the user's profile.
func (t *txn) askOutgoing(user, peer, remark string) (FriendRequest, error) {
	u, err := t.user(user)
	if err != nil {
		return FriendRequest{}, err
	}
	return t.ask(Outgoing, user, peer, remark, u.Profile())
}

// checkIncoming checks what a friend request carries to its recipient.
func checkIncoming(remark string, requester Profile) error {
	if err := checkText("remark", remark, maxRemarkLen, false); err != nil {
		return err
	}
	return requester.check("requester")
}

// RecordIncomingRequest records that peer asks local user to be friends
// (S5 received), with the peer's userInfo. A user whose VerifyType is
// VerifyNobody refuses every request (*ForbiddenError). A repeated request
// while one is pending refreshes it, so a retried S5 is stored once.
func (s *Store) RecordIncomingRequest(user, peer, remark string, requester Profile) (FriendRequest, error) {
	peer, err := checkPair(user, peer)
	if err != nil {
		return FriendRequest{}, err
	}
	if err := checkIncoming(remark, requester); err != nil {
		return FriendRequest{}, err
	}
	var r FriendRequest
	err = s.update(func(t *txn) error {
		r, err = t.askIncoming(user, peer, remark, requester)
		return err
	})
	return r, err
}

// askIncoming records peer's request to user, unless user accepts none.
func (t *txn) askIncoming(user, peer, remark string, requester Profile) (FriendRequest, error) {
	u, err := t.user(user)
	if err != nil {
		return FriendRequest{}, err
	}
	if u.VerifyType == VerifyNobody {
		return FriendRequest{}, &ForbiddenError{Reason: fmt.Sprintf("user %s accepts no friend requests (verifyType 1)", user)}
	}
	return t.ask(Incoming, user, peer, remark, requester)
}

// decide moves a pending request to state.
func (t *txn) decide(r *FriendRequest, state RequestState) error {
	if r.State != RequestPending {
		return &StateError{Kind: "friend request", Key: strconv.FormatUint(r.ID, 10), State: string(r.State), Want: string(RequestPending)}
	}
	r.State, r.DecidedAt = state, t.now
	return boltdb.Put(t.b(bucketFriendRequests), boltdb.U64(r.ID), *r)
}

// befriend records owner's side of a friendship, keeping Since (and the
// remark, unless a new one is given) if it already exists.
func (t *txn) befriend(owner, peer, remark string, p Profile) (Friend, error) {
	b := t.b(bucketFriends)
	f, ok, err := boltdb.Get[Friend](b, friendKey(owner, peer))
	if err != nil {
		return f, fmt.Errorf("friend %s of %s: %w", peer, owner, err)
	}
	if !ok {
		f = Friend{Owner: owner, Peer: peer, Since: t.now}
	}
	if remark != "" {
		f.Remark = remark
	}
	f.Profile, f.UpdatedAt = p, t.now
	return f, boltdb.Put(b, friendKey(owner, peer), f)
}

// Accept accepts a pending incoming request: the local user now has the
// requester as a friend (this side only) and sends (the S6 call with
// isAgree 1) are queued in the same transaction. A request that is not
// pending, or not incoming, is refused (*StateError).
func (s *Store) Accept(id uint64, sends ...Send) (FriendRequest, Friend, error) {
	if err := checkSends(sends); err != nil {
		return FriendRequest{}, Friend{}, err
	}
	var r FriendRequest
	var f Friend
	err := s.update(func(t *txn) error {
		var err error
		if r, f, err = t.answer(id, true); err != nil {
			return err
		}
		return t.enqueueAll(sends)
	})
	return r, f, err
}

// Refuse refuses a pending incoming request and queues sends (the S6 call
// with isAgree 2) in the same transaction.
func (s *Store) Refuse(id uint64, sends ...Send) (FriendRequest, error) {
	if err := checkSends(sends); err != nil {
		return FriendRequest{}, err
	}
	var r FriendRequest
	err := s.update(func(t *txn) error {
		var err error
		if r, _, err = t.answer(id, false); err != nil {
			return err
		}
		return t.enqueueAll(sends)
	})
	return r, err
}

// answer decides the pending incoming request id: accepted (the local
// user now has the requester as a friend) or refused.
func (t *txn) answer(id uint64, agree bool) (FriendRequest, Friend, error) {
	r, err := t.incoming(id)
	if err != nil {
		return r, Friend{}, err
	}
	if !agree {
		return r, Friend{}, t.decide(&r, RequestRefused)
	}
	if err := t.decide(&r, RequestAccepted); err != nil {
		return r, Friend{}, err
	}
	f, err := t.befriend(r.User, r.Peer, "", r.Requester)
	return r, f, err
}

func (t *txn) incoming(id uint64) (FriendRequest, error) {
	r, err := t.request(id)
	if err == nil && r.Direction != Incoming {
		err = &StateError{Kind: "friend request", Key: strconv.FormatUint(id, 10), State: string(r.Direction), Want: string(Incoming) + " (only the asked user answers)"}
	}
	return r, err
}

// PeerAnswered records peer's answer (S6 received) to local user's pending
// outgoing request: if agreed, user now has peer as a friend (this side),
// with the request's remark and the peer's profile. Without an outgoing
// request from user to peer the answer is refused (*NotFoundError): nobody
// becomes a friend uninvited. The same answer repeated (a retried S6)
// succeeds and changes nothing; a different answer to a decided request is
// refused (*StateError). The returned Friend is zero unless agreed.
func (s *Store) PeerAnswered(user, peer string, agreed bool, responder Profile) (FriendRequest, Friend, error) {
	peer, err := checkPair(user, peer)
	if err != nil {
		return FriendRequest{}, Friend{}, err
	}
	if err := responder.check("responder"); err != nil {
		return FriendRequest{}, Friend{}, err
	}
	var r FriendRequest
	var f Friend
	err = s.update(func(t *txn) error {
		r, f, err = t.peerAnswered(user, peer, agreed, responder)
		return err
	})
	return r, f, err
}

// peerAnswered records peer's answer to user's outgoing request.
func (t *txn) peerAnswered(user, peer string, agreed bool, responder Profile) (FriendRequest, Friend, error) {
	want := RequestRefused
	if agreed {
		want = RequestAccepted
	}
	r, ok, err := t.latestRequest(Outgoing, user, peer)
	if err != nil {
		return r, Friend{}, err
	}
	if !ok {
		return r, Friend{}, &NotFoundError{Kind: "friend request", Key: user + " -> " + peer}
	}
	var f Friend
	if r.State == want {
		if agreed {
			f, _, err = boltdb.Get[Friend](t.b(bucketFriends), friendKey(user, peer))
		}
		return r, f, err
	}
	if err := t.decide(&r, want); err != nil {
		return r, f, err
	}
	if agreed {
		f, err = t.befriend(user, peer, r.Remark, responder)
	}
	return r, f, err
}

// GetFriendRequest returns one request.
func (s *Store) GetFriendRequest(id uint64) (FriendRequest, error) {
	var r FriendRequest
	err := s.view(func(t *txn) error {
		var err error
		r, err = t.request(id)
		return err
	})
	return r, err
}

// FriendRequests returns user's requests, oldest first; state "" means all.
func (s *Store) FriendRequests(user string, state RequestState) ([]FriendRequest, error) {
	var out []FriendRequest
	err := s.view(func(t *txn) error {
		return t.b(bucketFriendRequests).ForEach(func(k, v []byte) error {
			r, err := boltdb.Decode[FriendRequest](v)
			if err != nil {
				return fmt.Errorf("friend request %d: %w", boltdb.Btou(k), err)
			}
			if r.User == user && (state == "" || r.State == state) {
				out = append(out, r)
			}
			return nil
		})
	})
	return out, err
}

// DeleteFriend removes owner's side of the friendship with peer and queues
// sends (the S7 call) in the same transaction. Deleting a friendship that
// does not exist succeeds and reports existed=false (a retried S7 is
// answered with success), but queues nothing.
func (s *Store) DeleteFriend(owner, peer string, sends ...Send) (existed bool, err error) {
	if peer, err = checkPair(owner, peer); err != nil {
		return false, err
	}
	if err := checkSends(sends); err != nil {
		return false, err
	}
	err = s.update(func(t *txn) error {
		if existed, err = t.unfriend(owner, peer); err != nil || !existed {
			return err
		}
		return t.enqueueAll(sends)
	})
	return existed, err
}

// unfriend removes owner's side of the friendship with peer, if any.
func (t *txn) unfriend(owner, peer string) (existed bool, err error) {
	b := t.b(bucketFriends)
	if b.Get(friendKey(owner, peer)) == nil {
		return false, nil
	}
	return true, b.Delete(friendKey(owner, peer))
}

// IsFriend answers S9 for this side: does owner have peer as a friend.
func (s *Store) IsFriend(owner, peer string) (bool, error) {
	peer, err := checkPair(owner, peer)
	if err != nil {
		return false, err
	}
	found := false
	err = s.view(func(t *txn) error {
		found = t.b(bucketFriends).Get(friendKey(owner, peer)) != nil
		return nil
	})
	return found, err
}

// GetFriend returns owner's friendship with peer.
func (s *Store) GetFriend(owner, peer string) (Friend, error) {
	peer, err := checkPair(owner, peer)
	if err != nil {
		return Friend{}, err
	}
	var f Friend
	err = s.view(func(t *txn) error {
		var ok bool
		var err error
		if f, ok, err = boltdb.Get[Friend](t.b(bucketFriends), friendKey(owner, peer)); err != nil {
			return fmt.Errorf("friend %s of %s: %w", peer, owner, err)
		}
		if !ok {
			return &NotFoundError{Kind: "friend", Key: owner + " -> " + peer}
		}
		return nil
	})
	return f, err
}

// Friends returns owner's friends ordered by peer.
func (s *Store) Friends(owner string) ([]Friend, error) {
	if err := CheckUserID(owner); err != nil {
		return nil, err
	}
	var out []Friend
	err := s.view(func(t *txn) error {
		return forPrefix(t.b(bucketFriends), prefix(owner), func(k, v []byte) (bool, error) {
			f, err := boltdb.Decode[Friend](v)
			if err != nil {
				return false, fmt.Errorf("friend %q: %w", k, err)
			}
			out = append(out, f)
			return true, nil
		})
	})
	return out, err
}

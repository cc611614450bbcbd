package imstore

import (
	"github.com/imictl/imictl/internal/boltdb"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Friendships between two local users of the same server: both sides live
// in this store, so each action writes them in one transaction, and no
// crash can leave one side recorded without the other. Each side records
// the other by its full address, user@server, as a peer's server would.

// address is user's full address on server.
func address(user, server string) string { return user + "@" + server }

// localOf is the local user id of addr, a user of server.
func localOf(addr, server string) (string, error) {
	a, err := wire.ParseAddress(addr)
	if err != nil || a.Domain() != server {
		return "", boltdb.Invalid("peer", "%q is not a user of this server (%s)", addr, server)
	}
	return a.Local, nil
}

// localPair checks two local users of server and returns their addresses.
func localPair(server, user, peer string) (userAddr, peerAddr string, err error) {
	if user == peer {
		return "", "", boltdb.Invalid("peer", "%q is the user itself", address(peer, server))
	}
	if peerAddr, err = checkPair(user, address(peer, server)); err != nil {
		return "", "", err
	}
	userAddr, err = checkPair(peer, address(user, server))
	return userAddr, peerAddr, err
}

// AskLocal records that local user asks local user peer to be friends:
// user's outgoing request and peer's incoming one (with requester, the
// user's profile as peer's server shows it), in one transaction. It is
// refused as RecordIncomingRequest refuses it (a peer accepting no
// requests: *ForbiddenError) and then records nothing.
func (s *Store) AskLocal(server, user, peer, remark string, requester Profile) (FriendRequest, error) {
	userAddr, peerAddr, err := localPair(server, user, peer)
	if err != nil {
		return FriendRequest{}, err
	}
	if err := checkIncoming(remark, requester); err != nil {
		return FriendRequest{}, err
	}
	var r FriendRequest
	err = s.update(func(t *txn) error {
		if _, err := t.askIncoming(peer, userAddr, remark, requester); err != nil {
			return err
		}
		var err error
		r, err = t.askOutgoing(user, peerAddr, remark)
		return err
	})
	return r, err
}

// AnswerLocal decides the pending incoming request id from another local
// user of server: this side (accepted or refused, the requester a friend
// if accepted) and the requester's side (its outgoing request answered,
// with responder, the answering user's profile), in one transaction.
func (s *Store) AnswerLocal(server string, id uint64, agree bool, responder Profile) (FriendRequest, error) {
	if err := responder.check("responder"); err != nil {
		return FriendRequest{}, err
	}
	var r FriendRequest
	err := s.update(func(t *txn) error {
		var err error
		if r, _, err = t.answer(id, agree); err != nil {
			return err
		}
		requester, err := localOf(r.Peer, server)
		if err != nil {
			return err
		}
		_, _, err = t.peerAnswered(requester, address(r.User, server), agree, responder)
		return err
	})
	return r, err
}

// DeleteLocalFriend ends the friendship of two local users of server, both
// sides in one transaction; existed reports whether user had peer as a
// friend.
func (s *Store) DeleteLocalFriend(server, user, peer string) (existed bool, err error) {
	userAddr, peerAddr, err := localPair(server, user, peer)
	if err != nil {
		return false, err
	}
	err = s.update(func(t *txn) error {
		if existed, err = t.unfriend(user, peerAddr); err != nil {
			return err
		}
		_, err = t.unfriend(peer, userAddr)
		return err
	})
	return existed, err
}

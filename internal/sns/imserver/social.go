package imserver

import (
	"context"
	"fmt"

	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// AddFriend records that a local user asks peer to be friends and tells
// peer's server (S5, queued). Between two local users both sides are
// recorded at once. Nobody is a friend until peer agrees.
func (s *Server) AddFriend(user, peer, remark string) (imstore.FriendRequest, error) {
	u, err := s.st.GetUser(user)
	if err != nil {
		return imstore.FriendRequest{}, err
	}
	to, err := s.address("peer", peer)
	if err != nil {
		return imstore.FriendRequest{}, err
	}
	self := user + "@" + s.self
	if s.isSelf(to) {
		// Both sides at once, the peer's as its server would record S5.
		return s.st.AskLocal(s.self, user, to.Local, remark, profileOf(self, s.userInfo(u)))
	}
	send, err := s.outgoing(to, self, "/sns/add/users", wire.AddFriendRequest{UserID: to.String(), Remark: remark, OwnerID: self, UserInfo: s.userInfo(u)})
	if err != nil {
		return imstore.FriendRequest{}, err
	}
	r, err := s.st.RecordOutgoingRequest(user, to.String(), remark, send)
	if err == nil {
		s.out.wake(send.Destination)
	}
	return r, err
}

// RespondFriend answers an incoming friend request: if agreed, the local
// user now has the requester as a friend, and the requester's server is
// told (S6, queued), which records the other side.
func (s *Server) RespondFriend(requestID uint64, agree bool) (imstore.FriendRequest, error) {
	r, err := s.st.GetFriendRequest(requestID)
	if err != nil {
		return r, err
	}
	if r.Direction != imstore.Incoming {
		return r, &imstore.StateError{Kind: "friend request", Key: fmt.Sprint(requestID), State: string(r.Direction), Want: "incoming (only the asked user answers)"}
	}
	u, err := s.st.GetUser(r.User)
	if err != nil {
		return r, err
	}
	self := r.User + "@" + s.self
	to, err := wire.ParseAddress(r.Peer)
	if err != nil {
		return r, err
	}
	if s.isSelf(to) {
		// Both sides at once, the requester's as its server would record S6.
		return s.st.AnswerLocal(s.self, requestID, agree, profileOf(self, s.userInfo(u)))
	}
	isAgree := wire.No
	if agree {
		isAgree = wire.Yes
	}
	send, err := s.outgoing(to, self, "/sns/rsp/users", wire.RespondFriendRequest{UserID: to.String(), IsAgree: isAgree, OwnerID: self, UserInfo: s.userInfo(u)})
	if err != nil {
		return r, err
	}
	if agree {
		r, _, err = s.st.Accept(requestID, send)
	} else {
		r, err = s.st.Refuse(requestID, send)
	}
	if err == nil {
		s.out.wake(send.Destination)
	}
	return r, err
}

// DeleteFriend ends a local user's friendship with peer, on both sides:
// here at once, and at peer's server by S7 (queued).
func (s *Server) DeleteFriend(user, peer string) (bool, error) {
	to, err := s.address("peer", peer)
	if err != nil {
		return false, err
	}
	self := user + "@" + s.self
	if s.isSelf(to) {
		return s.st.DeleteLocalFriend(s.self, user, to.Local)
	}
	send, err := s.outgoing(to, self, "/sns/del/users", wire.DelFriendRequest{UserID: to.String(), OwnerID: self})
	if err != nil {
		return false, err
	}
	existed, err := s.st.DeleteFriend(user, to.String(), send)
	if err == nil && existed {
		s.out.wake(send.Destination)
	}
	return existed, err
}

// FindUsers searches the users of another server (S3), or of this one.
func (s *Server) FindUsers(ctx context.Context, server, query string) ([]wire.UserInfo, error) {
	a, err := s.address("server", "x@"+server)
	if err != nil {
		return nil, err
	}
	if s.isSelf(a) {
		users, err := s.st.FindUsers(query, s.cfg.MaxFindResults)
		out := make([]wire.UserInfo, len(users))
		for i, u := range users {
			out[i] = s.userInfo(u)
		}
		return out, err
	}
	peer, err := s.peerOfDestination(ctx, a.Domain())
	if err != nil {
		return nil, err
	}
	return s.peers.FindUsers(ctx, peer, query)
}

// VerifyUser asks a user's server whether the user may be added (S4).
func (s *Server) VerifyUser(ctx context.Context, userID string) (int, error) {
	peer, err := s.peerOf(ctx, userID)
	if err != nil {
		return 0, err
	}
	return s.peers.VerifyUser(ctx, peer, userID)
}

// RemoteUser asks a user's server for the user's record (S8).
func (s *Server) RemoteUser(ctx context.Context, userID string) (wire.UserInfo, error) {
	peer, err := s.peerOf(ctx, userID)
	if err != nil {
		return wire.UserInfo{}, err
	}
	return s.peers.User(ctx, peer, userID)
}

// IsFriendRemote asks userID's server whether userID has the local user
// owner as a friend (S9).
func (s *Server) IsFriendRemote(ctx context.Context, userID, owner string) (bool, error) {
	peer, err := s.peerOf(ctx, userID)
	if err != nil {
		return false, err
	}
	v, err := s.peers.IsFriend(ctx, peer, userID, owner+"@"+s.self)
	return v == wire.Yes, err
}

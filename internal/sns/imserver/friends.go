package imserver

import (
	"errors"
	"net/http"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// profileOf is a peer's userInfo as the store keeps it, under its
// canonical id.
func profileOf(id string, u wire.UserInfo) imstore.Profile {
	return imstore.Profile{UserID: id, Name: u.Name, PhoneNumber: u.PhoneNumber, Portrait: u.Portrait, Remark: u.Remark}
}

// handleAddFriend is S5, POST /sns/add/users: ownerID, a user of the
// caller, asks the local user userID to be friends. The request waits for
// the local user's answer; nobody is a friend yet.
func (s *Server) handleAddFriend(w http.ResponseWriter, r *http.Request) {
	var req wire.AddFriendRequest
	local, owner, err := s.friendCall(r, &req, func() (string, string) { return req.UserID, req.OwnerID })
	if err == nil {
		_, err = s.st.RecordIncomingRequest(local, owner, req.Remark, profileOf(owner, req.UserInfo))
		if errors.Is(err, imstore.ErrForbidden) {
			err = refuse(http.StatusForbidden, ReasonVerifyRefused, "%s accepts no friend requests (verifyType 1)", req.UserID)
		}
	}
	s.answer(w, r, err)
}

// handleRespondFriend is S6, POST /sns/rsp/users: ownerID, a user of the
// caller, answers the request the local user userID made. Only then, if
// agreed, does the local user have ownerID as a friend.
func (s *Server) handleRespondFriend(w http.ResponseWriter, r *http.Request) {
	var req wire.RespondFriendRequest
	local, owner, err := s.friendCall(r, &req, func() (string, string) { return req.UserID, req.OwnerID })
	if err == nil {
		_, _, err = s.st.PeerAnswered(local, owner, req.IsAgree == wire.Yes, profileOf(owner, req.UserInfo))
		switch {
		case errors.Is(err, imstore.ErrNotFound):
			err = refuse(http.StatusNotFound, ReasonNoRequest, "%s never asked %s to be friends: nothing to answer", req.UserID, req.OwnerID)
		case errors.Is(err, imstore.ErrState):
			err = refuse(http.StatusConflict, ReasonConflict, "the request of %s to %s was already answered otherwise", req.UserID, req.OwnerID)
		}
	}
	s.answer(w, r, err)
}

// handleDeleteFriend is S7, POST /sns/del/users: ownerID, a user of the
// caller, ended the friendship with the local user userID, who loses
// ownerID as a friend too. Deleting a friendship that does not exist
// succeeds, so a retried call is harmless.
func (s *Server) handleDeleteFriend(w http.ResponseWriter, r *http.Request) {
	var req wire.DelFriendRequest
	local, owner, err := s.friendCall(r, &req, func() (string, string) { return req.UserID, req.OwnerID })
	if err == nil {
		_, err = s.st.DeleteFriend(local, owner)
	}
	s.answer(w, r, err)
}

// friendCall decodes and validates a friend request body and checks its
// two ids: the local user (target) and the caller's user (owner), returned
// as a local id and a canonical address.
func (s *Server) friendCall(r *http.Request, req interface{ Validate() error }, ids func() (target, owner string)) (string, string, error) {
	if err := decodeBody(r, req); err != nil {
		return "", "", err
	}
	target, owner := ids()
	u, err := s.localUser("userID", target)
	if err != nil {
		return "", "", err
	}
	origin, _ := httpsig.OriginFrom(r.Context())
	owner, err = s.fromCaller(r.Context(), "ownerID", owner, origin)
	return u.UserID, owner, err
}

// answer writes the success envelope, or the error.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.OK())
}

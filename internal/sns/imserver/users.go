package imserver

import (
	"net/http"
	"unicode/utf8"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// maxQueryStr bounds S3's search text.
const maxQueryStr = 256

// userInfo is a local user as peers see it (§6.4.1.1).
func (s *Server) userInfo(u imstore.User) wire.UserInfo {
	return wire.UserInfo{
		PhoneNumber: u.PhoneNumber,
		Remark:      u.Remark,
		Name:        u.Name,
		Portrait:    u.Portrait,
		UserID:      u.UserID + "@" + s.self,
		UpdateTime:  u.UpdatedAt.UnixMilli(),
	}
}

// queryID reads a required id parameter.
func queryID(r *http.Request, name string) (string, error) {
	v := r.URL.Query().Get(name)
	if err := wire.RequireID(name, v); err != nil {
		return "", badRequest(err)
	}
	return v, nil
}

// handleFindUsers is S3, GET /sns/find/users?queryStr=: users whose name
// or phone number contains the text, at most MaxFindResults.
func (s *Server) handleFindUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("queryStr")
	switch {
	case q == "":
		s.writeError(w, r, refuse(http.StatusBadRequest, ReasonBadRequest, "queryStr: required: the name or phone number to search for"))
		return
	case len(q) > maxQueryStr || !utf8.ValidString(q):
		s.writeError(w, r, refuse(http.StatusBadRequest, ReasonBadRequest, "queryStr: want at most %d bytes of UTF-8", maxQueryStr))
		return
	}
	users, err := s.st.FindUsers(q, s.cfg.MaxFindResults)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := wire.FindUsersResponse{Envelope: wire.OK(), Users: make([]wire.UserInfo, len(users))}
	for i, u := range users {
		resp.Users[i] = s.userInfo(u)
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleVerifyUser is S4, GET /sns/verify/users?userID=: may the user be
// added as a friend.
func (s *Server) handleVerifyUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.queryLocalUser(r, "userID")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.VerifyUserResponse{Envelope: wire.OK(), VerifyType: u.VerifyType})
}

// handleUser is S8, GET /sns/users?userID=.
func (s *Server) handleUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.queryLocalUser(r, "userID")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.UserResponse{Envelope: wire.OK(), UserInfo: s.userInfo(u)})
}

// handleIsFriend is S9, GET /sns/query/users?userID=&ownerID=: does the
// local user userID have ownerID, a user of the caller, as a friend.
func (s *Server) handleIsFriend(w http.ResponseWriter, r *http.Request) {
	u, err := s.queryLocalUser(r, "userID")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	owner, err := queryID(r, "ownerID")
	if err == nil {
		origin, _ := httpsig.OriginFrom(r.Context())
		owner, err = s.fromCaller(r.Context(), "ownerID", owner, origin)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ok, err := s.st.IsFriend(u.UserID, owner)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := wire.IsFriendResponse{Envelope: wire.OK(), IsFriend: wire.No}
	if ok {
		resp.IsFriend = wire.Yes
	}
	writeJSON(w, http.StatusOK, resp)
}

// queryLocalUser reads the id parameter name and returns the local user it
// names.
func (s *Server) queryLocalUser(r *http.Request, name string) (imstore.User, error) {
	id, err := queryID(r, name)
	if err != nil {
		return imstore.User{}, err
	}
	return s.localUser(name, id)
}

package imserver

import (
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

func (s *Server) adminStatus(*http.Request) (any, error) {
	users, err := s.st.ListUsers()
	if err != nil {
		return nil, err
	}
	dests, err := s.st.Destinations()
	if err != nil {
		return nil, err
	}
	if dests == nil {
		dests = []imstore.DestinationStats{}
	}
	return adminapi.Status{ServerID: s.self, Address: s.cfg.Address, Listen: s.ln.Addr().String(), MgmtURL: s.cfg.MgmtURL, Users: len(users),
		DuplicateConflicts: s.duplicateConflicts.Load(), Outbox: dests}, nil
}

func (s *Server) adminAddUser(r *http.Request) (any, error) {
	var u adminapi.NewUser
	if err := readJSON(r, &u); err != nil {
		return nil, err
	}
	return s.st.AddUser(imstore.User{UserID: u.UserID, Name: u.Name, PhoneNumber: u.PhoneNumber, Portrait: u.Portrait, Remark: u.Remark, VerifyType: u.VerifyType})
}

func (s *Server) adminUpload(r *http.Request) (any, error) {
	q := r.URL.Query()
	return s.Upload(q.Get("user"), q.Get("name"), r.Body)
}

func (s *Server) adminSend(r *http.Request) (any, error) {
	var req adminapi.SendRequest
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	return s.Send(req)
}

func (s *Server) adminRepeal(r *http.Request) (any, error) {
	var req adminapi.RepealRequest
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	return s.Repeal(req.User, req.MessageID)
}

// page reads the user, after and limit parameters of a list.
func page(r *http.Request) (user string, after uint64, limit int, err error) {
	if after, err = queryUint(r, "after"); err != nil {
		return
	}
	n, err := queryUint(r, "limit")
	return r.URL.Query().Get("user"), after, int(n), err
}

func (s *Server) adminInbox(r *http.Request) (any, error) {
	user, after, limit, err := page(r)
	if err != nil {
		return nil, err
	}
	msgs, err := s.st.Inbox(user, after, limit)
	if msgs == nil {
		msgs = []imstore.InboxMessage{}
	}
	return msgs, err
}

func (s *Server) adminSent(r *http.Request) (any, error) {
	user, after, limit, err := page(r)
	if err != nil {
		return nil, err
	}
	msgs, err := s.st.SentBy(user, after, limit)
	if msgs == nil {
		msgs = []imstore.SentMessage{}
	}
	return msgs, err
}

// adminFileContent streams the file of a message to the operator,
// downloading it from its origin first if needed.
func (s *Server) adminFileContent(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	meta, f, err := s.OpenFile(r.Context(), q.Get("user"), q.Get("messageID"))
	if err != nil {
		s.adminError(w, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.FormatInt(meta.Size, 10))
	h.Set(adminapi.HeaderFileID, meta.FileID)
	h.Set(adminapi.HeaderFileName, url.PathEscape(meta.Name))
	h.Set(adminapi.HeaderFileMD5, meta.MD5)
	if _, err := io.CopyN(w, f, meta.Size); err != nil {
		s.log.Warn("sending a file to the admin client was cut short", "fileID", meta.FileID, "err", err)
	}
}

func (s *Server) adminFriendRequests(r *http.Request) (any, error) {
	q := r.URL.Query()
	reqs, err := s.st.FriendRequests(q.Get("user"), imstore.RequestState(q.Get("state")))
	if reqs == nil {
		reqs = []imstore.FriendRequest{}
	}
	return reqs, err
}

func (s *Server) adminAddFriend(r *http.Request) (any, error) {
	var req adminapi.FriendRequest
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	return s.AddFriend(req.User, req.Peer, req.Remark)
}

func (s *Server) adminAnswerFriend(r *http.Request) (any, error) {
	var req adminapi.FriendAnswer
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	return s.RespondFriend(req.ID, req.Agree)
}

func (s *Server) adminDeleteFriend(r *http.Request) (any, error) {
	var req adminapi.FriendDelete
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	existed, err := s.DeleteFriend(req.User, req.Peer)
	return adminapi.Deleted{Existed: existed}, err
}

func (s *Server) adminOutbox(r *http.Request) (any, error) {
	q := r.URL.Query()
	after, err := queryUint(r, "after")
	if err != nil {
		return nil, err
	}
	limit, err := queryUint(r, "limit")
	if err != nil {
		return nil, err
	}
	items, err := s.Outbox(imstore.OutboxFilter{Destination: q.Get("destination"), State: imstore.OutboxState(q.Get("state")), AfterID: after, Limit: int(limit)})
	if items == nil {
		items = []imstore.OutboxItem{}
	}
	return items, err
}

func (s *Server) adminRetry(r *http.Request) (any, error) {
	var req adminapi.OutboxRetry
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	n, err := s.RetryOutbox(req.ID, req.Destination)
	return adminapi.Count{Count: n}, err
}

func (s *Server) adminDrop(r *http.Request) (any, error) {
	var req adminapi.OutboxDrop
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	return s.DropOutbox(req.ID)
}

func (s *Server) adminSetPolicy(r *http.Request) (any, error) {
	var req adminapi.Policy
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	return s.SetPolicy(req.Allow, req.Deny)
}

func (s *Server) adminRefreshDirectory(r *http.Request) (any, error) {
	n, err := s.dir.Refresh(r.Context())
	return adminapi.Count{Count: n}, err
}

func (s *Server) adminRemoteFind(r *http.Request) (any, error) {
	q := r.URL.Query()
	users, err := s.FindUsers(r.Context(), q.Get("server"), q.Get("query"))
	if users == nil {
		users = []wire.UserInfo{}
	}
	return users, err
}

func (s *Server) adminRemoteVerify(r *http.Request) (any, error) {
	v, err := s.VerifyUser(r.Context(), r.URL.Query().Get("userID"))
	return adminapi.Verify{VerifyType: v}, err
}

func (s *Server) adminRemoteUser(r *http.Request) (any, error) {
	return s.RemoteUser(r.Context(), r.URL.Query().Get("userID"))
}

func (s *Server) adminRemoteIsFriend(r *http.Request) (any, error) {
	q := r.URL.Query()
	ok, err := s.IsFriendRemote(r.Context(), q.Get("userID"), q.Get("owner"))
	return adminapi.IsFriend{IsFriend: ok}, err
}

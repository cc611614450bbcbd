package imserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// Reasons the admin API adds to those of the interconnection handlers.
const (
	ReasonTooLarge        = "too_large"        // 413: a file beyond maxFileSize
	ReasonFileMismatch    = "file_mismatch"    // 502: the origin served other bytes than its message announced
	ReasonPeerUnreachable = "peer_unreachable" // 502: the peer did not answer
	ReasonPeerRefused     = "peer_refused"     // the peer refused without a reason of its own
)

// maxAdminBody bounds the JSON bodies of the admin API (files are
// streamed, not bounded by it).
const maxAdminBody = 1 << 20

// listenAdmin opens the admin API's unix socket, 0600 in a 0700
// directory: only this server's user may operate it. A socket file left by
// a server that crashed is removed; the store's lock, held already, proves
// no other server runs on this data directory.
func (s *Server) listenAdmin() error {
	path := SocketPath(s.cfg.DataDir)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the stale admin socket %s: %w", path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("admin socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("admin socket: %w", err)
	}
	s.adminLn = ln
	s.adminSrv = &http.Server{Handler: s.adminRoutes(), ReadHeaderTimeout: time.Duration(s.cfg.ReadHeaderTimeout), IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes}
	return nil
}

// adminHandler answers with a value, or fails.
type adminHandler func(r *http.Request) (any, error)

// adminRoutes is the admin API (package adminapi has the contract).
func (s *Server) adminRoutes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range []struct {
		pattern string
		h       adminHandler
	}{
		{"GET " + adminapi.PathStatus, s.adminStatus},
		{"GET " + adminapi.PathUsers, func(*http.Request) (any, error) { return s.st.ListUsers() }},
		{"POST " + adminapi.PathUsers, s.adminAddUser},
		{"POST " + adminapi.PathFiles, s.adminUpload},
		{"POST " + adminapi.PathMessages, s.adminSend},
		{"POST " + adminapi.PathRepeal, s.adminRepeal},
		{"GET " + adminapi.PathInbox, s.adminInbox},
		{"GET " + adminapi.PathSent, s.adminSent},
		{"GET " + adminapi.PathFriends, func(r *http.Request) (any, error) { return s.st.Friends(r.URL.Query().Get("user")) }},
		{"GET " + adminapi.PathFriendRequests, s.adminFriendRequests},
		{"POST " + adminapi.PathFriendRequests, s.adminAddFriend},
		{"POST " + adminapi.PathFriendAnswer, s.adminAnswerFriend},
		{"POST " + adminapi.PathFriendDelete, s.adminDeleteFriend},
		{"GET " + adminapi.PathOutbox, s.adminOutbox},
		{"POST " + adminapi.PathOutboxRetry, s.adminRetry},
		{"POST " + adminapi.PathOutboxDrop, s.adminDrop},
		{"GET " + adminapi.PathPolicy, func(*http.Request) (any, error) { return s.Policy() }},
		{"PUT " + adminapi.PathPolicy, s.adminSetPolicy},
		{"GET " + adminapi.PathDirectory, func(*http.Request) (any, error) { return s.st.ListDirectory() }},
		{"POST " + adminapi.PathDirectoryRefresh, s.adminRefreshDirectory},
		{"GET " + adminapi.PathRemoteFind, s.adminRemoteFind},
		{"GET " + adminapi.PathRemoteVerify, s.adminRemoteVerify},
		{"GET " + adminapi.PathRemoteUser, s.adminRemoteUser},
		{"GET " + adminapi.PathRemoteIsFriend, s.adminRemoteIsFriend},
	} {
		mux.Handle(rt.pattern, s.adminJSON(rt.h))
	}
	for pattern, h := range s.groupAdminRoutes() {
		mux.Handle(pattern, s.adminJSON(h))
	}
	mux.HandleFunc("GET "+adminapi.PathFileContent, s.adminFileContent)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.adminError(w, refuse(http.StatusNotFound, ReasonNotFound, "the admin API has no %s %s: is imictl older than the server?", r.Method, r.URL.Path))
	})
	return mux
}

// adminJSON runs h and answers with its value as JSON, or the failure.
func (s *Server) adminJSON(h adminHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := h(r)
		if err != nil {
			s.adminError(w, err)
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			s.adminError(w, err)
			return
		}
		w.Header().Set("Content-Type", contentTypeJSON)
		w.Write(b)
	})
}

// adminError answers with the failure envelope. The admin API is local
// and its caller the operator: messages are shown in full.
func (s *Server) adminError(w http.ResponseWriter, err error) {
	status, reason := adminStatus(err)
	if status >= 500 && reason == ReasonInternal {
		s.log.Error("an admin API call failed", "err", err)
	}
	b, _ := json.Marshal(adminapi.ErrorBody{Code: 1, Error: err.Error(), Reason: reason})
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	w.Write(b)
}

// adminStatus maps an error to the admin API's status and reason: a peer's
// refusal keeps the peer's status and reason.
func adminStatus(err error) (int, string) {
	var ae *apiError
	var pe *client.APIError
	var auth *httpsig.AuthError
	var ue *client.UnreachableError
	switch {
	case errors.As(err, &ae):
		return ae.status, ae.reason
	case errors.As(err, &auth):
		return auth.Status, string(auth.Reason)
	case errors.As(err, &pe):
		status, reason := pe.Status, pe.Reason
		if status < 400 {
			status = http.StatusBadGateway
		}
		if reason == "" {
			reason = ReasonPeerRefused
		}
		return status, reason
	case errors.As(err, &ue):
		return http.StatusBadGateway, ReasonPeerUnreachable
	case errors.Is(err, imstore.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, ReasonTooLarge
	case errors.Is(err, imstore.ErrMismatch):
		return http.StatusBadGateway, ReasonFileMismatch
	}
	e := storeError(err)
	return e.status, e.reason
}

// readJSON decodes a bounded JSON body; unknown fields are refused so that
// a client newer than the server is told, not ignored.
func readJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody+1))
	if err != nil {
		return invalid(fmt.Errorf("reading the body: %w", err))
	}
	if len(body) > maxAdminBody {
		return invalid(fmt.Errorf("the body exceeds %d bytes", maxAdminBody))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid(fmt.Errorf("the body: %w", err))
	}
	return nil
}

// queryUint reads an optional unsigned parameter (0 when absent).
func queryUint(r *http.Request, name string) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil {
		return 0, invalid(fmt.Errorf("%s=%q: want a whole number", name, v))
	}
	return n, nil
}

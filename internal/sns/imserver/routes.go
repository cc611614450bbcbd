package imserver

import (
	"net/http"
	"slices"
	"strings"
)

// Path prefixes: the standard names the interfaces /sns/<path> and says
// they live under sns/{version}/ (§6.2.7); every path is served under both.
const (
	prefixSNS   = "/sns"
	prefixSNSV1 = "/sns/v1"
)

// route is one interconnection interface.
type route struct {
	method, path string
	handle       func(*Server, http.ResponseWriter, *http.Request)
}

// oneToOne are the one-to-one interfaces (§6.4.1, S1–S9); the group
// interfaces (§6.4.2) are groupRoutes, in groups.go.
var oneToOne = []route{
	{http.MethodPost, "/chat", (*Server).handleChat},               // S1, chat.go
	{http.MethodGet, "/download/file", (*Server).handleDownload},   // S2, download.go
	{http.MethodGet, "/find/users", (*Server).handleFindUsers},     // S3, users.go
	{http.MethodGet, "/verify/users", (*Server).handleVerifyUser},  // S4, users.go
	{http.MethodPost, "/add/users", (*Server).handleAddFriend},     // S5, friends.go
	{http.MethodPost, "/rsp/users", (*Server).handleRespondFriend}, // S6, friends.go
	{http.MethodPost, "/del/users", (*Server).handleDeleteFriend},  // S7, friends.go
	{http.MethodGet, "/users", (*Server).handleUser},               // S8, users.go
	{http.MethodGet, "/query/users", (*Server).handleIsFriend},     // S9, users.go
}

// routes is the handler behind the signing middleware: every route under
// both prefixes, receivenotify, and a JSON 404 for anything else.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range slices.Concat(oneToOne, groupRoutes) {
		h := func(w http.ResponseWriter, r *http.Request) { rt.handle(s, w, r) }
		mux.HandleFunc(rt.method+" "+prefixSNS+rt.path, h)
		mux.HandleFunc(rt.method+" "+prefixSNSV1+rt.path, h)
	}
	mux.HandleFunc(http.MethodPost+" "+receiveNotifyPath, s.handleReceiveNotify)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, refuse(http.StatusNotFound, ReasonNotFound, "no interface %s %s here: see the standard's §6.4 for the paths", r.Method, r.URL.Path))
	})
	return trimSlash(mux)
}

// trimSlash routes "/sns/add/users/" (as the source spells some paths) like
// "/sns/add/users". It runs after the signature check, which covers the
// path as sent.
func trimSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			r2 := *r
			u := *r.URL
			u.Path, u.RawPath = strings.TrimSuffix(p, "/"), ""
			r2.URL = &u
			r = &r2
		}
		next.ServeHTTP(w, r)
	})
}

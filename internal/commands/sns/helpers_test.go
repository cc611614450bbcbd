package sns_test

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// fileContent is the file f1@beta-im.
var fileContent = []byte("the quarterly report\n")

func fileMD5() string {
	sum := md5.Sum(fileContent)
	return hex.EncodeToString(sum[:])
}

// world is our server alpha-im (identity files in env), the stand-in peer
// beta-im, and the management server that lists both.
type world struct {
	ca          *clienttest.CA
	alpha, beta *clienttest.Server
	files       clienttest.Files
	mgmt        *clienttest.Mgmt
	peer        *clienttest.Peer
	dir         string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{ca: clienttest.NewCA(t), dir: t.TempDir()}
	w.alpha, w.beta = w.ca.Server(t, "alpha-im"), w.ca.Server(t, "beta-im")
	w.files = w.ca.WriteFiles(t, w.alpha, filepath.Join(w.dir, "id"), nil)
	w.mgmt = clienttest.NewMgmt(t, w.ca)
	w.peer = clienttest.NewPeer(t, w.ca, w.beta, w.mgmt, peerHandler())
	w.mgmt.Register(w.alpha, "http://127.0.0.1:1", httpsig.StatusNormal)
	w.mgmt.Register(w.beta, w.peer.URL, httpsig.StatusNormal)
	return w
}

// env is the identity of alpha-im, as IMICTL_* variables.
func (w *world) env() cmdtest.Options {
	return cmdtest.Options{Env: map[string]string{
		identity.EnvKey: w.files.Key, identity.EnvCert: w.files.Cert, identity.EnvRoot: w.files.Root, identity.EnvMgmt: w.mgmt.URL,
		identity.ConfigEnv: filepath.Join(w.dir, "no-config.yaml"),
	}}
}

// peerHandler answers S1-S9 and G1-G12 under both prefixes like a small
// IM server whose only user is u2@beta-im, in the group g1@beta-im.
func peerHandler() http.Handler {
	ok := func(w http.ResponseWriter, _ *http.Request) { clienttest.WriteJSON(w, 200, `{"code":0,"error":""}`) }
	routes := map[string]http.HandlerFunc{
		"POST /chat": ok, "POST /add/users": ok, "POST /rsp/users": ok, "POST /del/users": ok,
		"POST /invite/grpreq": ok, "POST /invite/grprep": ok, "POST /remove/grpmembers": ok, "POST /quit/grpmember": ok,
		"POST /notify/grpchat": ok, "POST /update/grpinfo": ok, "POST /notify/grpnotify": ok,
		"GET /grpchat": func(w http.ResponseWriter, _ *http.Request) {
			clienttest.WriteJSON(w, 200, `{"code":0,"error":"","newestMessageID":"m2@beta-im","messages":[`+
				`{"senderID":"u2@beta-im","recvID":"g1@beta-im","messageType":"text","version":"v1","type":2,"messageID":"m2@beta-im","fileID":"","content":{"message":"hi all"}}]}`)
		},
		"GET /grpinfo": func(w http.ResponseWriter, _ *http.Request) {
			clienttest.WriteJSON(w, 200, `{"code":0,"error":"","gset":{"isAllow":"1","isVisible":2},`+
				`"groupInfo":{"groupID":"g1@beta-im","groupName":"Team","groupIcon":"","groupMemberNum":2,"createUser":"u2@beta-im","createTime":1700000000000}}`)
		},
		"GET /grpmembers": func(w http.ResponseWriter, _ *http.Request) {
			clienttest.WriteJSON(w, 200, `{"code":0,"error":"","members":[{"userType":3,"userInfo":{"userID":"u2@beta-im","name":"Bo"}},`+
				`{"userType":"1","userInfo":{"userID":"u1@alpha-im","name":"Ann"}}]}`)
		},
		"GET /find/users": func(w http.ResponseWriter, _ *http.Request) {
			clienttest.WriteJSON(w, 200, `{"code":0,"error":"","users":[{"userID":"u2@beta-im","name":"Bo","phoneNumber":"13600002222","remark":"","portrait":""}]}`)
		},
		"GET /verify/users": func(w http.ResponseWriter, _ *http.Request) {
			clienttest.WriteJSON(w, 200, `{"code":0,"error":"","verifyType":2}`)
		},
		"GET /users": func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("userID") != "u2@beta-im" {
				clienttest.WriteJSON(w, 404, `{"code":1,"error":"no such user","reason":"user_not_found"}`)
				return
			}
			clienttest.WriteJSON(w, 200, `{"code":0,"error":"","userInfo":{"userID":"u2@beta-im","name":"Bo","phoneNumber":"13600002222","x-extra":true}}`)
		},
		"GET /query/users": func(w http.ResponseWriter, _ *http.Request) {
			clienttest.WriteJSON(w, 200, `{"code":0,"error":"","isFriend":1}`)
		},
		"GET /download/file": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(fileContent)
		},
	}
	mux := http.NewServeMux()
	for pattern, h := range routes {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" /sns"+path, h)
		mux.HandleFunc(method+" /sns/v1"+path, h)
	}
	return mux
}

package client_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/wire"
)

// world is a caller (alpha-im) and a stand-in peer (beta-im) that know each
// other through a fixed directory, with real certificates of one CA.
type world struct {
	ca          *clienttest.CA
	alpha, beta *clienttest.Server
	dir         httpsig.StaticResolver
	peer        *clienttest.Peer
	client      *client.Client
	traces      *traces
}

// traces records what the client's Trace hook saw.
type traces struct {
	mu   sync.Mutex
	reqs []*http.Request
	resp []*http.Response
}

func (tr *traces) hook(req *http.Request, _ []byte, resp *http.Response, _ []byte) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.reqs = append(tr.reqs, req)
	tr.resp = append(tr.resp, resp)
}

func (tr *traces) count() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.reqs)
}

func newWorld(t *testing.T, h http.Handler, tweak ...func(*client.Config)) *world {
	t.Helper()
	w := &world{ca: clienttest.NewCA(t), traces: &traces{}}
	w.alpha = w.ca.Server(t, "alpha-im")
	w.beta = w.ca.Server(t, "beta-im")
	w.dir = clienttest.Directory(nil, w.alpha, w.beta)
	w.peer = clienttest.NewPeer(t, w.ca, w.beta, w.dir, h)
	cfg := client.Config{
		Signer: w.alpha.Signer,
		Verify: httpsig.Options{Resolver: w.dir, Roots: w.ca.Roots, CRL: w.ca.CRLProvider(t)},
		Trace:  w.traces.hook,
	}
	for _, f := range tweak {
		f(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.client = c
	return w
}

func (w *world) betaPeer() client.Peer {
	return client.Peer{ServerID: "beta-im", BaseURL: w.peer.URL}
}

// answer serves a fixed JSON body for every request.
func answer(status int, body string) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { clienttest.WriteJSON(rw, status, body) })
}

var (
	userA = wire.UserInfo{UserID: "u1@alpha-im", Name: "Ann", PhoneNumber: "13500001111"}
	chat  = wire.ChatRequest{MessageInfo: wire.MessageInfo{SenderID: "u1@alpha-im", RecvID: "u2@beta-im", MessageType: wire.MessageText,
		Version: wire.Version1, Type: wire.ChatSingle, MessageID: "m1@alpha-im", Content: &wire.TextContent{Message: "hi 你好"}}}
)

func TestMethodsSendExactRequestsAndParseAnswers(t *testing.T) {
	ctx := context.Background()
	tests := []callCase{
		{"S1 chat", `{"code":0,"error":""}`,
			func(c *client.Client, p client.Peer) (any, error) { return nil, c.Chat(ctx, p, chat) },
			"POST", "/sns/chat", "",
			`{"messageInfo":{"senderID":"u1@alpha-im","recvID":"u2@beta-im","messageType":"text","version":"v1","type":1,"messageID":"m1@alpha-im","fileID":"","content":{"message":"hi 你好"}}}`, nil},
		{"S3 find users", `{"code":"0","error":"","users":[{"userID":" u2@beta-im ","name":"Bo","phoneNumber":13600002222}]}`,
			func(c *client.Client, p client.Peer) (any, error) { return c.FindUsers(ctx, p, "Bo & 张+1") },
			"GET", "/sns/find/users", "queryStr=Bo%20%26%20%E5%BC%A0%2B1", "",
			[]wire.UserInfo{{UserID: "u2@beta-im", Name: "Bo", PhoneNumber: "13600002222"}}},
		{"S4 verify user", `{"code":0,"error":"","verifyType":"2"}`,
			func(c *client.Client, p client.Peer) (any, error) { return c.VerifyUser(ctx, p, "u2@beta-im") },
			"GET", "/sns/verify/users", "userID=u2%40beta-im", "", wire.VerifyAnyone},
		{"S5 add friend", `{"code":0,"error":""}`,
			func(c *client.Client, p client.Peer) (any, error) {
				return nil, c.AddFriend(ctx, p, wire.AddFriendRequest{UserID: "u2@beta-im", Remark: "hello", OwnerID: "u1@alpha-im", UserInfo: userA})
			},
			"POST", "/sns/add/users", "",
			`{"userID":"u2@beta-im","remark":"hello","ownerID":"u1@alpha-im","userInfo":{"phoneNumber":"13500001111","remark":"","name":"Ann","portrait":"","userID":"u1@alpha-im"}}`, nil},
		{"S6 respond", `{"code":0,"error":""}`,
			func(c *client.Client, p client.Peer) (any, error) {
				return nil, c.RespondFriend(ctx, p, wire.RespondFriendRequest{UserID: "u2@beta-im", IsAgree: wire.Yes, OwnerID: "u1@alpha-im", UserInfo: userA})
			},
			"POST", "/sns/rsp/users", "",
			`{"userID":"u2@beta-im","isAgree":1,"ownerID":"u1@alpha-im","userInfo":{"phoneNumber":"13500001111","remark":"","name":"Ann","portrait":"","userID":"u1@alpha-im"}}`, nil},
		{"S7 delete friend", `{"code":0,"error":""}`,
			func(c *client.Client, p client.Peer) (any, error) {
				return nil, c.DelFriend(ctx, p, wire.DelFriendRequest{UserID: "u2@beta-im", OwnerID: "u1@alpha-im"})
			},
			"POST", "/sns/del/users", "", `{"userID":"u2@beta-im","ownerID":"u1@alpha-im"}`, nil},
		{"S8 user", `{"code":0,"error":"","userInfo":{"userID":"u2@beta-im","name":"Bo","updateTime":"1700000000000"}}`,
			func(c *client.Client, p client.Peer) (any, error) { return c.User(ctx, p, "u2@beta-im") },
			"GET", "/sns/users", "userID=u2%40beta-im", "", wire.UserInfo{UserID: "u2@beta-im", Name: "Bo", UpdateTime: 1700000000000}},
		{"S9 is friend", `{"code":0,"error":"","isFriend":2}`,
			func(c *client.Client, p client.Peer) (any, error) {
				return c.IsFriend(ctx, p, "u2@beta-im", "u1@x.example.com:8441")
			},
			"GET", "/sns/query/users", "ownerID=u1%40x.example.com%3A8441&userID=u2%40beta-im", "", wire.No},
	}
	runCalls(t, tests)
}

func TestPrefixV1(t *testing.T) {
	w := newWorld(t, answer(http.StatusOK, `{"code":0,"error":"","isFriend":1}`), func(c *client.Config) { c.Prefix = client.PrefixSNSV1 })
	if _, err := w.client.IsFriend(context.Background(), w.betaPeer(), "u2@beta-im", "u1@alpha-im"); err != nil {
		t.Fatal(err)
	}
	if got := w.peer.Requests()[0].Path; got != "/sns/v1/query/users" {
		t.Fatalf("path %q", got)
	}
	if _, err := client.New(client.Config{Signer: w.alpha.Signer, Verify: httpsig.Options{Resolver: w.dir, Roots: w.ca.Roots, NoRevocationCheck: true}, Prefix: "/api"}); err == nil {
		t.Fatal("prefix /api accepted")
	}
}

func TestAPIError(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   client.APIError
		text   string
	}{
		{"code 1 at 200", 200, `{"code":1,"error":"no such user","reason":"user_not_found"}`,
			client.APIError{Peer: "beta-im", Method: "GET", Path: "/sns/users?userID=u9%40beta-im", Status: 200, Code: 1, Reason: "user_not_found", Message: "no such user"},
			`beta-im refused GET /sns/users?userID=u9%40beta-im: no such user (reason: user_not_found)`},
		{"code 1 at 404", 404, `{"code":"1","error":"no such user"}`,
			client.APIError{Peer: "beta-im", Method: "GET", Path: "/sns/users?userID=u9%40beta-im", Status: 404, Code: 1, Message: "no such user"},
			`beta-im refused GET /sns/users?userID=u9%40beta-im: no such user [HTTP 404]`},
		{"500 without envelope", 500, `oops`,
			client.APIError{Peer: "beta-im", Method: "GET", Path: "/sns/users?userID=u9%40beta-im", Status: 500, Message: `HTTP 500 with a "text/plain; charset=utf-8" body`},
			`[HTTP 500]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
				if strings.HasPrefix(tt.body, "{") {
					clienttest.WriteJSON(rw, tt.status, tt.body)
					return
				}
				http.Error(rw, tt.body, tt.status)
			})
			w := newWorld(t, h)
			var raw *client.RawResponse
			_, err := w.client.User(context.Background(), w.betaPeer(), "u9@beta-im", client.Raw(&raw))
			var ae *client.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("got %v, want an APIError", err)
			}
			if *ae != tt.want {
				t.Errorf("got %+v\nwant %+v", *ae, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("message %q lacks %q", err, tt.text)
			}
			if raw == nil || raw.Status != tt.status || raw.Peer != "beta-im" {
				t.Errorf("raw answer not kept: %+v", raw)
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	w := newWorld(t, http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/html")
		rw.Write([]byte("<html>"))
	}))
	_, err := w.client.User(context.Background(), w.betaPeer(), "u2@beta-im")
	if err == nil || !strings.Contains(err.Error(), `answered GET users?userID=u2%40beta-im with "text/html", not JSON`) {
		t.Fatalf("got %v", err)
	}
}

func TestInvalidRequestsAreNotSent(t *testing.T) {
	w := newWorld(t, answer(200, `{"code":0}`))
	ctx := context.Background()
	bad := chat
	bad.MessageInfo.RecvID = "nobody"
	errs := []error{
		w.client.Chat(ctx, w.betaPeer(), bad),
		w.client.DelFriend(ctx, w.betaPeer(), wire.DelFriendRequest{UserID: "u2@beta-im"}),
	}
	_, err := w.client.User(ctx, w.betaPeer(), "")
	errs = append(errs, err)
	_, err = w.client.Download(ctx, w.betaPeer(), "../etc/passwd@beta-im", nil, 0)
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil {
			t.Errorf("call %d: sent", i)
		}
	}
	if n := len(w.peer.Requests()); n != 0 || w.traces.count() != 0 {
		t.Fatalf("%d requests reached the peer", n)
	}
	if !strings.Contains(errs[0].Error(), "not sending an invalid chat request: messageInfo.recvID") {
		t.Errorf("chat: %v", errs[0])
	}
}

// callCase is one call of the client to a peer that answers answer: the
// request the peer must get, and the decoded result (nil: not checked).
type callCase struct {
	name     string
	answer   string
	call     func(c *client.Client, p client.Peer) (any, error)
	method   string
	path     string
	rawQuery string
	body     string
	want     any
}

// runCalls makes each call from alpha-im and checks what the peer got.
func runCalls(t *testing.T, tests []callCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, answer(http.StatusOK, tt.answer))
			got, err := tt.call(w.client, w.betaPeer())
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("result %#v, want %#v", got, tt.want)
			}
			reqs := w.peer.Requests()
			if len(reqs) != 1 {
				t.Fatalf("peer got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Origin != "alpha-im" || r.Method != tt.method || r.Path != tt.path || r.RawQuery != tt.rawQuery || string(r.Body) != tt.body {
				t.Errorf("peer got %s %s ? %s from %s\n%s\nwant %s %s ? %s\n%s", r.Method, r.Path, r.RawQuery, r.Origin, r.Body, tt.method, tt.path, tt.rawQuery, tt.body)
			}
			if tt.body != "" && r.Header.Get("Content-Type") != "application/json;charset=utf-8" {
				t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
			}
		})
	}
}

package attack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/sns/httpsig"
)

// attack is one case of the matrix: what it sends (run, which returns
// what the target answered) and the status and reason it must get. The
// name is the row of docs/SECURITY.md.
type attack struct {
	name   string
	status int
	reason string // "" when net/http itself answers, with no envelope
	run    func(t *testing.T, w *world) (status int, reason string)
}

// wireReq is a request as it goes on the wire, to be tampered with.
type wireReq struct {
	method, target string // target: path and query
	header         http.Header
	body           []byte
}

var seq atomic.Int64

// chat is an S1 body from sender to recv; messageID is fresh unless given.
func chat(sender, recv, messageType string) []byte {
	id := fmt.Sprintf("m%d@peer", seq.Add(1))
	return []byte(fmt.Sprintf(`{"messageInfo":{"senderID":%q,"recvID":%q,"messageType":%q,"version":"v1","type":1,"messageID":%q,"content":{"message":"hi"}}}`,
		sender, recv, messageType, id))
}

var goodChat = func() []byte { return chat("alice@peer", "bob@"+targetID, "text") }

// signed is a request from caller to destination, signed as caller signs,
// at skew from now.
func (w *world) signed(t *testing.T, caller, destination, method, target string, body []byte, skew time.Duration) wireReq {
	t.Helper()
	req, err := http.NewRequest(method, w.targetURL+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	s := w.callers[caller]
	if skew != 0 {
		s.SetClock(func() time.Time { return time.Now().Add(skew) })
		defer s.SetClock(time.Now)
	}
	if err := s.SignRequest(req, destination); err != nil {
		t.Fatal(err)
	}
	return wireReq{method: method, target: target, header: req.Header, body: body}
}

// send sends r and returns the status and the reason of the envelope.
func (w *world) send(t *testing.T, r wireReq) (int, string) {
	t.Helper()
	req, err := http.NewRequest(r.method, w.targetURL+r.target, bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = r.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var env struct {
		Reason string `json:"reason"`
	}
	_ = json.Unmarshal(b, &env)
	return resp.StatusCode, env.Reason
}

// call is a case that sends what build makes.
func call(build func(t *testing.T, w *world) wireReq) func(*testing.T, *world) (int, string) {
	return func(t *testing.T, w *world) (int, string) { return w.send(t, build(t, w)) }
}

// s1 is a case that sends body to S1 as caller, signed for the target.
func s1(caller string, body func() []byte) func(*testing.T, *world) (int, string) {
	return call(func(t *testing.T, w *world) wireReq {
		return w.signed(t, caller, targetID, http.MethodPost, "/sns/chat", body(), 0)
	})
}

// download is a case that asks S2 for fileID as peer.
func download(fileID func(w *world) string) func(*testing.T, *world) (int, string) {
	return call(func(t *testing.T, w *world) wireReq {
		return w.signed(t, "peer", targetID, http.MethodGet, "/sns/download/file?fileID="+url.QueryEscape(fileID(w)), nil, 0)
	})
}

func fixed(s string) func(*world) string { return func(*world) string { return s } }

func body(b string) func() []byte { return func() []byte { return []byte(b) } }

// attacks is the matrix: every case the target must refuse.
var attacks = []attack{
	{"unsigned request", 401, "signature_missing", call(func(t *testing.T, w *world) wireReq {
		return wireReq{method: http.MethodPost, target: "/sns/chat", header: http.Header{"Content-Type": {"application/json"}}, body: goodChat()}
	})},
	{"signed by another key than the certificate's", 401, "signature_invalid", s1("otherkey", goodChat)},
	{"body altered after signing", 400, "digest_mismatch", call(func(t *testing.T, w *world) wireReq {
		r := w.signed(t, "peer", targetID, http.MethodPost, "/sns/chat", goodChat(), 0)
		r.body = bytes.Replace(r.body, []byte(`"hi"`), []byte(`"ho"`), 1)
		return r
	})},
	{"covered header altered (Content-Digest of an altered body)", 401, "signature_invalid", call(func(t *testing.T, w *world) wireReq {
		r := w.signed(t, "peer", targetID, http.MethodPost, "/sns/chat", goodChat(), 0)
		r.body = bytes.Replace(r.body, []byte(`"hi"`), []byte(`"ho"`), 1)
		r.header.Set("Content-Digest", httpsig.ContentDigest(r.body))
		return r
	})},
	{"covered path altered", 401, "signature_invalid", call(func(t *testing.T, w *world) wireReq {
		r := w.signed(t, "peer", targetID, http.MethodPost, "/sns/chat", goodChat(), 0)
		r.target = "/sns/v1/chat"
		return r
	})},
	{"wrong destination serverId", 421, "wrong_destination", call(func(t *testing.T, w *world) wireReq {
		return w.signed(t, "peer", "elsewhere", http.MethodPost, "/sns/chat", goodChat(), 0)
	})},
	{"replayed nonce", 401, "replay", func(t *testing.T, w *world) (int, string) {
		r := w.signed(t, "peer", targetID, http.MethodPost, "/sns/chat", goodChat(), 0)
		if status, reason := w.send(t, r); status != 200 {
			t.Fatalf("the original call: %d %s", status, reason)
		}
		return w.sendAfterSnapshot(t, r)
	}},
	{"created 10 minutes in the past", 401, "clock_skew", call(func(t *testing.T, w *world) wireReq {
		return w.signed(t, "peer", targetID, http.MethodPost, "/sns/chat", goodChat(), -10*time.Minute)
	})},
	{"created 10 minutes in the future", 401, "clock_skew", call(func(t *testing.T, w *world) wireReq {
		return w.signed(t, "peer", targetID, http.MethodPost, "/sns/chat", goodChat(), 10*time.Minute)
	})},
	{"expired certificate", 401, "cert_expired", s1("expired", func() []byte { return chat("alice@expired", "bob@"+targetID, "text") })},
	{"not-yet-valid certificate", 401, "cert_expired", s1("notyet", func() []byte { return chat("alice@notyet", "bob@"+targetID, "text") })},
	{"revoked certificate", 401, "cert_revoked", s1("revoked", func() []byte { return chat("alice@revoked", "bob@"+targetID, "text") })},
	{"certificate of an unknown CA", 401, "cert_invalid", s1("foreign", func() []byte { return chat("alice@foreign", "bob@"+targetID, "text") })},
	{"certificate naming another serverId", 401, "cert_invalid", s1("wrongid", func() []byte { return chat("alice@wrongid", "bob@"+targetID, "text") })},
	{"caller not in the directory", 403, "unknown_server", s1("unregistered", func() []byte { return chat("alice@unregistered", "bob@"+targetID, "text") })},
	{"suspended caller", 403, "server_suspended", s1("suspended", func() []byte { return chat("alice@suspended", "bob@"+targetID, "text") })},
	{"cancelled caller (the cancellation revoked its certificate)", 401, "cert_revoked", s1("cancelled", func() []byte { return chat("alice@cancelled", "bob@"+targetID, "text") })},
	{"black-listed caller", 403, "forbidden_by_policy", s1("blacklisted", func() []byte { return chat("alice@blacklisted", "bob@"+targetID, "text") })},
	{"caller not on the white list", 403, "forbidden_by_policy", s1("outsider", func() []byte { return chat("alice@outsider", "bob@"+targetID, "text") })},
	{"oversize body", 413, "body_too_large", s1("peer", func() []byte {
		return []byte(`{"messageInfo":{"senderID":"alice@peer","recvID":"bob@target","messageType":"text","version":"v1","type":1,"messageID":"big@peer","content":{"message":"` + strings.Repeat("x", maxBody) + `"}}}`)
	})},
	{"oversize headers", 431, "", call(func(t *testing.T, w *world) wireReq {
		r := w.signed(t, "peer", targetID, http.MethodPost, "/sns/chat", goodChat(), 0)
		r.header.Set("X-Padding", strings.Repeat("x", 256<<10)) // well past 64 KiB, and net/http's slack on a reused connection
		return r
	})},
	{"slow-loris (headers dribbled)", 0, "connection closed", slowLoris},
	{"malformed JSON", 400, "bad_request", s1("peer", body(`{"messageInfo":`))},
	{"wrong JSON types", 400, "bad_request", s1("peer", body(`{"messageInfo":{"senderID":["alice@peer"],"recvID":"bob@target","messageType":"text","version":"v1","type":"one","messageID":"t@peer","content":{"message":1}}}`))},
	{"unknown messageType", 400, "bad_request", s1("peer", func() []byte { return chat("alice@peer", "bob@"+targetID, "hologram") })},
	{"sender id in neither form", 400, "bad_request", s1("peer", func() []byte { return chat("alice", "bob@"+targetID, "text") })},
	{"recipient id in neither form", 400, "bad_request", s1("peer", func() []byte { return chat("alice@peer", "bob@@"+targetID, "text") })},
	{"sender of another server", 403, "wrong_sender", s1("peer", func() []byte { return chat("mallory@blacklisted", "bob@"+targetID, "text") })},
	{"recipient not local", 400, "not_local", s1("peer", func() []byte { return chat("alice@peer", "bob@elsewhere", "text") })},
	{"recipient unknown", 404, "unknown_user", s1("peer", func() []byte { return chat("alice@peer", "nobody@"+targetID, "text") })},
	{"fileID ../ path", 400, "bad_request", download(fixed("../../etc/passwd@" + targetID))},
	{"fileID absolute path", 400, "bad_request", download(fixed("/etc/passwd"))},
	{"fileID with NUL", 400, "bad_request", download(fixed("abc\x00@" + targetID))},
	{"fileID URL-encoded ../", 400, "bad_request", download(fixed("..%2F..%2Fetc%2Fpasswd@" + targetID))},
	{"fileID of another server", 400, "not_local", download(fixed("0123456789abcdef0123456789abcdef@elsewhere"))},
	{"download of a file the caller has no message for", 403, "not_permitted", download(func(w *world) string { return w.fileID })},
	{"download of a file that does not exist", 403, "not_permitted", download(fixed("0123456789abcdef0123456789abcdef@" + targetID))},
}

// sendAfterSnapshot lets a case send something that succeeds before the
// snapshot the no-change check compares with: the runner takes it again.
func (w *world) sendAfterSnapshot(t *testing.T, r wireReq) (int, string) {
	t.Helper()
	w.before = w.snapshot(t)
	return w.send(t, r)
}

// slowLoris sends the start of a request's headers, a byte at a time, and
// reports whether the server hung up within a few header timeouts.
func slowLoris(t *testing.T, w *world) (int, string) {
	conn, err := net.Dial("tcp", strings.TrimPrefix(w.targetURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /sns/chat HTTP/1.1\r\nHost: target\r\n"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * headerTimeout)
	for time.Now().Before(deadline) {
		time.Sleep(headerTimeout / 5)
		if _, err := conn.Write([]byte("X")); err != nil {
			return 0, "connection closed"
		}
		_ = conn.SetReadDeadline(time.Now().Add(time.Millisecond))
		var b [1]byte
		if _, err := conn.Read(b[:]); err == io.EOF {
			return 0, "connection closed"
		}
	}
	return 0, "connection kept open"
}

func TestAttackMatrix(t *testing.T) {
	w := newWorld(t)
	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			w.before = w.snapshot(t)
			status, reason := tc.run(t, w)
			if status != tc.status || reason != tc.reason {
				t.Errorf("got %d %q, want %d %q", status, reason, tc.status, tc.reason)
			}
			if after := w.snapshot(t); after != w.before {
				t.Errorf("the refused call changed the target's state:\nbefore %s\nafter  %s", w.before, after)
			}
		})
	}
}

// waitRefused waits until the target refuses caller's calls with reason
// (the revocation reaching it with the next CRL).
func (w *world) waitRefused(t *testing.T, caller string, reason httpsig.Reason) {
	t.Helper()
	// 30 s at most: the suspension travels as a notification and a
	// directory query, which a loaded machine can hold up for seconds.
	for range 600 {
		r := w.signed(t, caller, targetID, http.MethodPost, "/sns/chat", chat("alice@"+caller, "bob@"+targetID, "text"), 0)
		if _, got := w.send(t, r); got == string(reason) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the target never refused %s with %s", caller, reason)
}

// answered is what the target answered a genuine S8 call of peer's,
// seen by peer's client after tamper changed it on the way: the status,
// and the reason the client refused it for ("" if it accepted it).
func answered(tamper func(t *testing.T, w *world, req *http.Request, resp *http.Response, body []byte) []byte) func(*testing.T, *world) (int, string) {
	return func(t *testing.T, w *world) (int, string) {
		r := w.signed(t, "peer", targetID, http.MethodGet, "/sns/users?userID=bob@"+targetID, nil, 0)
		req, err := http.NewRequestWithContext(context.Background(), r.method, w.targetURL+r.target, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header = r.header
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("the genuine answer: %d %v", resp.StatusCode, err)
		}
		b = tamper(t, w, req, resp, b)
		var ae *httpsig.AuthError
		if err := w.client.VerifyResponse(req, resp, b, targetID); errors.As(err, &ae) {
			return resp.StatusCode, string(ae.Reason)
		} else if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, ""
	}
}

// clientAttacks are forged answers: the client must refuse each.
var clientAttacks = []attack{
	{"answer body altered", 200, "digest_mismatch", answered(func(t *testing.T, w *world, _ *http.Request, _ *http.Response, b []byte) []byte {
		return bytes.Replace(b, []byte("Bob"), []byte("Eve"), 1)
	})},
	{"answer status altered", 500, "signature_invalid", answered(func(t *testing.T, w *world, _ *http.Request, resp *http.Response, b []byte) []byte {
		resp.StatusCode = 500
		return b
	})},
	{"answer signed by another key", 200, "signature_invalid", answered(func(t *testing.T, w *world, req *http.Request, resp *http.Response, b []byte) []byte {
		if err := w.foreignSigner(t, targetID, mustKey(t)).SignResponse(resp.Header, resp.StatusCode, b, req); err != nil {
			t.Fatal(err)
		}
		return b
	})},
	{"answer unsigned", 200, "signature_missing", answered(func(t *testing.T, w *world, _ *http.Request, resp *http.Response, b []byte) []byte {
		resp.Header.Del("Signature")
		resp.Header.Del("Signature-Input")
		return b
	})},
	{"answer to another request replayed", 200, "signature_invalid", answered(func(t *testing.T, w *world, req *http.Request, resp *http.Response, b []byte) []byte {
		other := w.signed(t, "peer", targetID, http.MethodGet, "/sns/users?userID=bob@"+targetID, nil, 0)
		req.Header = other.header // the client's own request was this one
		return b
	})},
}

func TestForgedAnswers(t *testing.T) {
	w := newWorld(t)
	for _, tc := range clientAttacks {
		t.Run(tc.name, func(t *testing.T) {
			status, reason := tc.run(t, w)
			if status != tc.status || reason != tc.reason {
				t.Errorf("got %d %q, want %d %q", status, reason, tc.status, tc.reason)
			}
		})
	}
}

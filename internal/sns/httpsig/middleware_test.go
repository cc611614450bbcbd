package httpsig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

// fixture: server-b verifies calls from server-a; both hold certificates of
// one test CA, listed in a static directory.
type fixture struct {
	ca           *testCA
	a, b         *Signer
	certA, certB *smx509.Certificate
	dir          StaticResolver
	crl          *smx509.RevocationList
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{ca: newTestCA(t, "Test Root")}
	f.a, f.certA = f.ca.server(t, "server-a")
	f.b, f.certB = f.ca.server(t, "server-b")
	f.dir = StaticResolver{
		"server-a": {ServerID: "server-a", Certificate: f.certA},
		"server-b": {ServerID: "server-b", Certificate: f.certB},
	}
	f.crl = f.ca.crl(t, 1, time.Now().Add(time.Hour))
	return f
}

// options for server-b (or, with self "server-a", for server-a's client).
func (f *fixture) options(self string) Options {
	s := f.b
	if self == "server-a" {
		s = f.a
	}
	return Options{Self: self, Resolver: f.dir, Roots: f.ca.roots, CRL: fixedCRL{crl: f.crl}, Signer: s, Logger: quietLogger()}
}

func mustVerifier(t testing.TB, o Options) *Verifier {
	t.Helper()
	v, err := NewVerifier(o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const chatURL = "http://server-b.test/sns/chat?trace=1"

var chatBody = []byte(`{"messageInfo":{"senderID":"u1@server-a","recvID":"u2@server-b"}}`)

// signedChat is a request from server-a to dest, signed by s.
func signedChat(t testing.TB, s *Signer, dest string) *http.Request {
	t.Helper()
	req := newRequest(t, http.MethodPost, chatURL, chatBody)
	if err := s.SignRequest(req, dest); err != nil {
		t.Fatal(err)
	}
	return req
}

// withClock returns a copy of s whose clock is off by d.
func withClock(s *Signer, d time.Duration) *Signer {
	c := *s
	c.now = func() time.Time { return time.Now().Add(d) }
	return &c
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestMiddlewareRefusals(t *testing.T) {
	f := newFixture(t)
	once := signedChat(t, f.a, "server-b")
	replayed := func(t *testing.T) *http.Request { // the same signed request every time
		c := once.Clone(once.Context())
		c.Body = io.NopCloser(bytes.NewReader(chatBody))
		return c
	}
	otherCA := newTestCA(t, "Other Root")
	strangerA, strangerCertA := otherCA.server(t, "server-a")
	expiredCert, expiredKey := f.ca.issue(t, "server-a", time.Now().Add(-40*time.Hour), time.Now().Add(-20*time.Hour))
	_, certC := f.ca.server(t, "server-c")
	z, _ := f.ca.server(t, "server-z")

	tests := []struct {
		name    string
		reason  Reason
		status  int
		options func(*Options)
		request func(t *testing.T) *http.Request
		prime   func(t *testing.T) *http.Request // served first, must pass
		bound   bool                             // the refusal is bound to the request's signature
	}{
		{name: "unsigned", reason: ReasonSignatureMissing, status: 401,
			request: func(t *testing.T) *http.Request { return newRequest(t, "POST", chatURL, chatBody) }},
		{name: "other label only", reason: ReasonSignatureMissing, status: 401,
			request: func(t *testing.T) *http.Request {
				r := signedChat(t, f.a, "server-b")
				r.Header.Set("Signature-Input", strings.Replace(r.Header.Get("Signature-Input"), "imi=", "sig1=", 1))
				r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "imi=", "sig1=", 1))
				return r
			}},
		{name: "unparseable Signature-Input", reason: ReasonMalformedSignature, status: 400,
			request: func(t *testing.T) *http.Request {
				r := signedChat(t, f.a, "server-b")
				r.Header.Set("Signature-Input", "imi=(")
				return r
			}},
		{name: "destination not covered", reason: ReasonMalformedSignature, status: 400, bound: true,
			request: func(t *testing.T) *http.Request {
				r := signedChat(t, f.a, "server-b")
				r.Header.Set("Signature-Input", strings.Replace(r.Header.Get("Signature-Input"), ` "imi-destination"`, "", 1))
				return r
			}},
		{name: "origin header differs from keyid", reason: ReasonMalformedSignature, status: 400, bound: true,
			request: func(t *testing.T) *http.Request {
				r := signedChat(t, f.a, "server-b")
				r.Header.Set(HeaderOrigin, "server-c")
				return r
			}},
		{name: "response tag on a request", reason: ReasonMalformedSignature, status: 400, bound: true,
			request: func(t *testing.T) *http.Request {
				r := signedChat(t, f.a, "server-b")
				r.Header.Set("Signature-Input", strings.Replace(r.Header.Get("Signature-Input"), TagRequest, TagResponse, 1))
				return r
			}},
		{name: "no sm3 digest", reason: ReasonMalformedSignature, status: 400, bound: true,
			request: func(t *testing.T) *http.Request {
				r := signedChat(t, f.a, "server-b")
				r.Header.Set("Content-Digest", "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:")
				return r
			}},
		{name: "for another server", reason: ReasonWrongDestination, status: 421, bound: true,
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-c") }},
		{name: "created too long ago", reason: ReasonClockSkew, status: 401, bound: true,
			request: func(t *testing.T) *http.Request { return signedChat(t, withClock(f.a, -6*time.Minute), "server-b") }},
		{name: "created in the future", reason: ReasonClockSkew, status: 401, bound: true,
			request: func(t *testing.T) *http.Request { return signedChat(t, withClock(f.a, 6*time.Minute), "server-b") }},
		{name: "replayed", reason: ReasonReplay, status: 401, bound: true,
			prime:   func(t *testing.T) *http.Request { return replayed(t) },
			request: func(t *testing.T) *http.Request { return replayed(t) }},
		{name: "replay cache full", reason: ReasonReplayCacheFull, status: 503, bound: true,
			options: func(o *Options) { o.ReplayCapacity = 1 },
			prime:   func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") },
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") }},
		{name: "black-listed", reason: ReasonForbiddenByPolicy, status: 403, bound: true,
			options: func(o *Options) { o.Policy = NewPolicy(); o.Policy.SetDenyList([]string{"server-a"}) },
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") }},
		{name: "not white-listed", reason: ReasonForbiddenByPolicy, status: 403, bound: true,
			options: func(o *Options) { o.Policy = NewPolicy(); o.Policy.SetAllowList([]string{"server-c"}) },
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") }},
		{name: "not in the directory", reason: ReasonUnknownServer, status: 403, bound: true,
			request: func(t *testing.T) *http.Request { return signedChat(t, z, "server-b") }},
		{name: "directory down", reason: ReasonDirectoryDown, status: 503, bound: true,
			options: func(o *Options) { o.Resolver = failingResolver{} },
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") }},
		{name: "certificate of an untrusted CA", reason: ReasonCertInvalid, status: 401, bound: true,
			options: func(o *Options) {
				o.Resolver = StaticResolver{"server-a": {ServerID: "server-a", Certificate: strangerCertA}}
			},
			request: func(t *testing.T) *http.Request { return signedChat(t, strangerA, "server-b") }},
		{name: "certificate of another serverId", reason: ReasonCertInvalid, status: 401, bound: true,
			options: func(o *Options) {
				o.Resolver = StaticResolver{"server-a": {ServerID: "server-a", Certificate: certC}}
			},
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") }},
		{name: "expired certificate", reason: ReasonCertExpired, status: 401, bound: true,
			options: func(o *Options) {
				o.Resolver = StaticResolver{"server-a": {ServerID: "server-a", Certificate: expiredCert}}
			},
			request: func(t *testing.T) *http.Request {
				s := &Signer{serverID: "server-a", key: expiredKey, now: time.Now, nonce: randomNonce}
				return signedChat(t, s, "server-b")
			}},
		{name: "revoked certificate", reason: ReasonCertRevoked, status: 401, bound: true,
			options: func(o *Options) {
				o.CRL = fixedCRL{crl: f.ca.crl(t, 2, time.Now().Add(time.Hour), f.certA.SerialNumber)}
			},
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") }},
		{name: "no CRL", reason: ReasonCRLUnavailable, status: 503, bound: true,
			options: func(o *Options) { o.CRL = fixedCRL{err: errors.New("no CRL fetched yet")} },
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") }},
		{name: "CRL of another CA", reason: ReasonCRLUnavailable, status: 503, bound: true,
			options: func(o *Options) { o.CRL = fixedCRL{crl: otherCA.crl(t, 1, time.Now().Add(time.Hour))} },
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") }},
		{name: "suspended", reason: ReasonServerSuspended, status: 403, bound: true,
			options: func(o *Options) {
				o.Resolver = StaticResolver{"server-a": {ServerID: "server-a", Status: StatusSuspended, Certificate: f.certA}}
			},
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") }},
		{name: "cancelled", reason: ReasonServerCancelled, status: 403, bound: true,
			options: func(o *Options) {
				o.Resolver = StaticResolver{"server-a": {ServerID: "server-a", Status: StatusCancelled, Certificate: f.certA}}
			},
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") }},
		{name: "query altered", reason: ReasonSignatureInvalid, status: 401, bound: true,
			request: func(t *testing.T) *http.Request {
				r := signedChat(t, f.a, "server-b")
				r.URL.RawQuery = "trace=2"
				return r
			}},
		{name: "method altered", reason: ReasonSignatureInvalid, status: 401, bound: true,
			request: func(t *testing.T) *http.Request {
				r := signedChat(t, f.a, "server-b")
				r.Method = http.MethodPut
				return r
			}},
		{name: "signed by another key", reason: ReasonSignatureInvalid, status: 401, bound: true,
			request: func(t *testing.T) *http.Request {
				forged := *f.b
				forged.serverID = "server-a"
				return signedChat(t, &forged, "server-b")
			}},
		{name: "body too large (declared)", reason: ReasonBodyTooLarge, status: 413, bound: true,
			options: func(o *Options) { o.MaxBody = 16 },
			request: func(t *testing.T) *http.Request { return signedChat(t, f.a, "server-b") }},
		{name: "body too large (chunked)", reason: ReasonBodyTooLarge, status: 413, bound: true,
			options: func(o *Options) { o.MaxBody = 16 },
			request: func(t *testing.T) *http.Request {
				r := signedChat(t, f.a, "server-b")
				r.ContentLength = -1
				return r
			}},
		{name: "body unreadable", reason: ReasonBodyUnreadable, status: 400, bound: true,
			request: func(t *testing.T) *http.Request {
				r := signedChat(t, f.a, "server-b")
				r.Body = io.NopCloser(errReader{})
				return r
			}},
		{name: "body altered", reason: ReasonDigestMismatch, status: 400, bound: true,
			request: func(t *testing.T) *http.Request {
				r := signedChat(t, f.a, "server-b")
				r2 := newRequest(t, "POST", chatURL, []byte(strings.Replace(string(chatBody), "u2", "u3", 1)))
				r.Body, r.ContentLength = r2.Body, r2.ContentLength
				return r
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := f.options("server-b")
			if tc.options != nil {
				tc.options(&o)
			}
			v := mustVerifier(t, o)
			ran := 0
			h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran++ }))
			remembered := 0
			if tc.prime != nil {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, tc.prime(t))
				if rec.Code != 200 || ran != 1 {
					t.Fatalf("priming request: status %d, handler ran %d times; body %s", rec.Code, ran, rec.Body)
				}
				remembered = 1
			}
			req := tc.request(t)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != tc.status {
				t.Errorf("status %d, want %d (body %s)", rec.Code, tc.status, rec.Body)
			}
			var env struct {
				Code   int    `json:"code"`
				Error  string `json:"error"`
				Reason Reason `json:"reason"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if env.Reason != tc.reason || env.Code != 1 || env.Error == "" {
				t.Errorf("envelope %+v, want code 1, reason %s and a message", env, tc.reason)
			}
			if got := rec.Header().Get("Content-Type"); got != contentTypeJSON {
				t.Errorf("Content-Type %q", got)
			}
			if ran != remembered {
				t.Errorf("the handler ran for a refused request")
			}
			if n := v.replay.len(); n != remembered {
				t.Errorf("replay cache holds %d nonces, want %d: a refused request must not be remembered", n, remembered)
			}
			checkRefusalSignature(t, f, req, rec, tc.bound)
		})
	}
}

// checkRefusalSignature: every refusal is signed by server-b; when the
// request carried a usable signature, the refusal is bound to it and
// server-a's client authenticates it.
func checkRefusalSignature(t *testing.T, f *fixture, req *http.Request, rec *httptest.ResponseRecorder, bound bool) {
	t.Helper()
	resp := rec.Result()
	sig, err := parseSignature(resp.Header)
	if err != nil {
		t.Fatalf("the refusal is not signed: %v", err)
	}
	if sig.params.keyid != "server-b" || sig.params.tag != TagResponse {
		t.Errorf("refusal signed as %q with tag %q", sig.params.keyid, sig.params.tag)
	}
	if !bound || req.Header.Get(HeaderOrigin) != "server-a" {
		return
	}
	client := mustVerifier(t, f.options("server-a"))
	if err := client.VerifyResponse(req, resp, rec.Body.Bytes(), "server-b"); err != nil {
		t.Errorf("server-a cannot authenticate the refusal: %v", err)
	}
}

// sharedNonces is a SharedNonces in memory, standing for the replicas'
// common store.
type sharedNonces struct {
	mu   sync.Mutex
	held map[string]time.Time
	err  error // answered instead, when set
}

func (s *sharedNonces) Remember(origin, nonce string, expires time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	k := origin + " " + nonce
	if _, ok := s.held[k]; ok {
		return fmt.Errorf("%w (shared)", ErrReplay)
	}
	s.held[k] = expires
	return nil
}

// Two verifiers sharing their nonces (two replicas): a request the first
// accepted is a replay for the second, whose own cache never saw it; a
// failing shared store refuses with a retry, and the handler never runs.
func TestMiddlewareSharedNonces(t *testing.T) {
	f := newFixture(t)
	shared := &sharedNonces{held: map[string]time.Time{}}
	ran := 0
	handler := func() http.Handler {
		o := f.options("server-b")
		o.SharedNonces = shared
		return mustVerifier(t, o).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran++ }))
	}
	one, two := handler(), handler()
	call := func(h http.Handler, req *http.Request) (int, string) {
		rec := httptest.NewRecorder()
		req.Body = io.NopCloser(bytes.NewReader(chatBody))
		h.ServeHTTP(rec, req)
		var env struct{ Reason string }
		json.Unmarshal(rec.Body.Bytes(), &env)
		return rec.Code, env.Reason
	}
	req := signedChat(t, f.a, "server-b")
	if code, reason := call(one, req); code != http.StatusOK || ran != 1 {
		t.Fatalf("first delivery: HTTP %d %s, handler ran %d times", code, reason, ran)
	}
	if len(shared.held) != 1 {
		t.Fatalf("the shared store holds %d nonces, want 1", len(shared.held))
	}
	for _, e := range shared.held {
		if d := time.Until(e); d < 4*time.Minute || d > 6*time.Minute {
			t.Errorf("the nonce is held until %s from now, want created + the 5-minute window", d)
		}
	}
	if code, reason := call(two, req); code != http.StatusUnauthorized || reason != string(ReasonReplay) || ran != 1 {
		t.Fatalf("the same request at the other replica: HTTP %d %s (handler ran %d times), want 401 replay", code, reason, ran)
	}
	shared.err = errors.New("etcd unreachable")
	if code, reason := call(two, signedChat(t, f.a, "server-b")); code != http.StatusServiceUnavailable || reason != string(ReasonReplayCacheFull) || ran != 1 {
		t.Fatalf("with the shared store failing: HTTP %d %s (handler ran %d times), want 503 replay_cache_full", code, reason, ran)
	}
}

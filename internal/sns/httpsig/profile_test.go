package httpsig

import (
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/pki"
)

// The tests of this file pin the decisions of docs/PROTOCOL.md section 3
// that a new implementer would otherwise have to guess.

// resign signs m again with s under the Signature-Input member input (the
// text after "imi="), whatever it says, so that a test can send
// parameters and components in any order or shape. An input that does not
// parse is set with the signature left as it was: no base exists for it.
func resign(t *testing.T, s *Signer, m *message, input string) {
	t.Helper()
	m.header.Set(headerSignatureInput, Label+"="+input)
	sig, err := parseSignatureGeneral([]string{Label + "=" + input}, []string{Label + "=:AA==:"})
	if err != nil {
		return
	}
	base, err := newBase(m, &sig.params)
	if err != nil {
		return // e.g. a covered header that is absent
	}
	value, err := pki.Sign(s.key, *base)
	freeBase(base)
	if err != nil {
		t.Fatal(err)
	}
	m.header.Set(headerSignature, byteSequenceMember(value))
}

// resignRequest signs req (already signed by s, so that its digest and
// IMI headers are set) again under input.
func resignRequest(t *testing.T, s *Signer, req *http.Request, input string) {
	t.Helper()
	resign(t, s, requestMessage(req.Method, req.URL, req.Header), input)
}

const reqComponents = `("@method" "@path" "@query" "content-digest" "imi-origin" "imi-destination")`

// serve runs req through server-b's middleware with options o and
// returns the answer and the refusal's reason ("" when the handler ran).
func serve(t *testing.T, o Options, req *http.Request) (*httptest.ResponseRecorder, Reason) {
	t.Helper()
	ran := false
	h := mustVerifier(t, o).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran = true
		w.Header().Set("Content-Type", contentTypeJSON)
		w.Write([]byte(`{"code":0,"error":""}`))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if ran {
		if rec.Code != http.StatusOK {
			t.Fatalf("the handler ran but the status is %d", rec.Code)
		}
		return rec, ""
	}
	var env struct{ Reason Reason }
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Reason == "" {
		t.Fatalf("a refusal without a reason: %s (%v)", rec.Body, err)
	}
	return rec, env.Reason
}

// §3.5 step 3: created exactly 300 s away, either way, is inside the
// window; 301 s is outside. expires equal to now is still valid; one
// second before now is expired.
func TestClockWindowEdges(t *testing.T) {
	f := newFixture(t)
	now := time.Unix(time.Now().Unix(), 0)
	o := f.options("server-b")
	o.Now = func() time.Time { return now }
	at := func(d time.Duration) *Signer {
		s := *f.a
		s.now = func() time.Time { return now.Add(d) }
		return &s
	}
	for _, tc := range []struct {
		offset time.Duration
		want   Reason
	}{
		{-300 * time.Second, ""}, {300 * time.Second, ""},
		{-301 * time.Second, ReasonClockSkew}, {301 * time.Second, ReasonClockSkew},
	} {
		if _, got := serve(t, o, signedChat(t, at(tc.offset), "server-b")); got != tc.want {
			t.Errorf("created now%+ds: %q, want %q", int(tc.offset.Seconds()), got, tc.want)
		}
	}
	for _, tc := range []struct {
		expires int64
		want    Reason
	}{{now.Unix(), ""}, {now.Unix() + 1, ""}, {now.Unix() - 1, ReasonClockSkew}} {
		req := signedChat(t, at(0), "server-b")
		resignRequest(t, f.a, req, reqComponents+";created="+strconv.FormatInt(now.Unix(), 10)+";expires="+strconv.FormatInt(tc.expires, 10)+
			`;nonce="expires-edge-`+strconv.FormatInt(tc.expires, 10)+`";keyid="server-a";alg="sm2-sm3";tag="imi-req"`)
		if _, got := serve(t, o, req); got != tc.want {
			t.Errorf("expires now%+d: %q, want %q", tc.expires-now.Unix(), got, tc.want)
		}
	}
}

// §3.3: parameters, expires included, may come in any order, and
// components too; the verifier signs what it received.
func TestParametersInAnyOrder(t *testing.T) {
	f := newFixture(t)
	created := strconv.FormatInt(time.Now().Unix(), 10)
	expires := strconv.FormatInt(time.Now().Unix()+60, 10)
	for i, input := range []string{
		reqComponents + ";expires=" + expires + ";created=" + created + `;nonce="order-test-nonce-1";keyid="server-a";alg="sm2-sm3";tag="imi-req"`,
		reqComponents + ";created=" + created + `;nonce="order-test-nonce-2";expires=` + expires + `;keyid="server-a";alg="sm2-sm3";tag="imi-req"`,
		reqComponents + `;tag="imi-req";alg="sm2-sm3";keyid="server-a";nonce="order-test-nonce-3";created=` + created + ";expires=" + expires,
		`("imi-destination" "imi-origin" "content-digest" "@query" "@path" "@method");created=` + created + `;nonce="order-test-nonce-4";keyid="server-a";tag="imi-req"`,
	} {
		req := signedChat(t, f.a, "server-b")
		resignRequest(t, f.a, req, input)
		if _, got := serve(t, f.options("server-b"), req); got != "" {
			t.Errorf("order %d refused with %s: %s", i+1, got, input)
		}
	}
}

// §3.3: @query is the query exactly as sent. A raw "@" and "%40" are
// different bytes, each signed as sent and each verified; a proxy that
// rewrites one into the other breaks the signature. Over real loopback, so
// that Go's client and server are seen not to rewrite either.
func TestQuerySignedAsSent(t *testing.T) {
	f := newFixture(t)
	var seen []string
	srv := httptest.NewServer(mustVerifier(t, f.options("server-b")).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.RawQuery)
		w.Write([]byte(`{"code":0,"error":""}`))
	})))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &Transport{Base: srv.Client().Transport, Signer: f.a, Verifier: mustVerifier(t, f.options("server-a")), Destination: "server-b"}}
	for _, q := range []string{"userID=u1@server-b", "userID=u1%40server-b"} {
		resp, err := client.Get(srv.URL + "/sns/users?" + q)
		if err != nil {
			t.Fatalf("?%s: %v", q, err)
		}
		resp.Body.Close()
	}
	if len(seen) != 2 || seen[0] != "userID=u1@server-b" || seen[1] != "userID=u1%40server-b" {
		t.Errorf("queries received %q", seen)
	}
	// One spelling signed, the other received: signature_invalid.
	req := newRequest(t, http.MethodGet, "http://server-b.test/sns/users?userID=u1@server-b", nil)
	if err := f.a.SignRequest(req, "server-b"); err != nil {
		t.Fatal(err)
	}
	req.URL.RawQuery = "userID=u1%40server-b"
	if _, got := serve(t, f.options("server-b"), req); got != ReasonSignatureInvalid {
		t.Errorf("rewritten query: %q, want signature_invalid", got)
	}
}

// §3.3: a verifier supports the derived components @method, @path, @query
// and @status, and any header field present, with ;key on a dictionary
// field and ;req in responses. Anything else is malformed_signature.
func TestCoveredComponents(t *testing.T) {
	f := newFixture(t)
	params := ";created=" + strconv.FormatInt(time.Now().Unix(), 10) + `;keyid="server-a";alg="sm2-sm3";tag="imi-req"`
	n := 0
	nonce := func() string { n++; return `;nonce="component-test-` + strconv.Itoa(n) + `-x"` }
	req0 := `"@method" "@path" "@query" "content-digest" "imi-origin" "imi-destination"`
	for _, tc := range []struct {
		name  string
		extra string
		want  Reason
	}{
		{"an extra header present", ` "content-type"`, ""},
		{"a member of a dictionary header", ` "content-digest";key="sm3"`, ""},
		{"an extra header absent", ` "x-trace"`, ReasonMalformedSignature},
		{"an unsupported derived component", ` "@authority"`, ReasonMalformedSignature},
		{"an unsupported parameter", ` "content-type";sf`, ReasonMalformedSignature},
		{"a ;req component in a request", ` "content-type";req`, ReasonMalformedSignature},
	} {
		req := signedChat(t, f.a, "server-b")
		req.Header.Set("Content-Type", contentTypeJSON)
		input := "(" + req0 + tc.extra + ")" + nonce() + params
		resignRequest(t, f.a, req, input)
		if _, got := serve(t, f.options("server-b"), req); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// §3.2: the signature is DER; r or s encoded with a needless leading zero
// byte, or bytes after the SEQUENCE, do not verify.
func TestSignatureMustBeDER(t *testing.T) {
	f := newFixture(t)
	var sig struct{ R, S *big.Int }
	nonMinimal := func(b []byte) []byte {
		if b[0]&0x80 != 0 {
			return append([]byte{0, 0}, b...)
		}
		return append([]byte{0}, b...)
	}
	integer := func(b []byte) []byte { return append([]byte{0x02, byte(len(b))}, b...) }
	for _, tc := range []struct {
		name   string
		reform func(der []byte) []byte
	}{
		{"non-minimal r", func(der []byte) []byte {
			body := append(integer(nonMinimal(sig.R.Bytes())), integer(minimal(sig.S))...)
			return append([]byte{0x30, byte(len(body))}, body...)
		}},
		{"non-minimal s", func(der []byte) []byte {
			body := append(integer(minimal(sig.R)), integer(nonMinimal(sig.S.Bytes()))...)
			return append([]byte{0x30, byte(len(body))}, body...)
		}},
		{"trailing bytes", func(der []byte) []byte { return append(append([]byte{}, der...), 0) }},
	} {
		req := signedChat(t, f.a, "server-b")
		sv, err := parseSignature(req.Header)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := asn1.Unmarshal(sv.value, &sig); err != nil {
			t.Fatal(err)
		}
		if again := append(append([]byte{0x30, 0}, integer(minimal(sig.R))...), integer(minimal(sig.S))...); len(again) != len(sv.value) {
			t.Fatalf("the test's DER encoder disagrees with the signer's (%d bytes, want %d)", len(again), len(sv.value))
		}
		req.Header.Set(headerSignature, byteSequenceMember(tc.reform(sv.value)))
		if _, got := serve(t, f.options("server-b"), req); got != ReasonSignatureInvalid {
			t.Errorf("%s: %q, want signature_invalid", tc.name, got)
		}
	}
}

// minimal is the DER content of a positive INTEGER.
func minimal(n *big.Int) []byte {
	b := n.Bytes()
	if b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}

// requestTamper alters each request after it is signed, before it leaves.
type requestTamper struct {
	base   http.RoundTripper
	tamper func(*http.Request)
}

func (p requestTamper) RoundTrip(req *http.Request) (*http.Response, error) {
	p.tamper(req)
	return p.base.RoundTrip(req)
}

// §3.4: a request signature sent in non-canonical base64 that still
// decodes (non-zero padding bits) is accepted, and the response binds to
// the canonical re-serialization of the bytes, which the caller rebuilds
// from what it parsed. Base64 without its padding is malformed_signature,
// and the refusal binds to nothing.
func TestBoundSignatureIsReserialized(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(mustVerifier(t, f.options("server-b")).Middleware(echoHandler))
	t.Cleanup(srv.Close)
	call := func(edit func(b64 string) string) error {
		var sent string
		tr := &Transport{Signer: f.a, Verifier: mustVerifier(t, f.options("server-a")), Destination: "server-b",
			Base: requestTamper{srv.Client().Transport, func(r *http.Request) {
				b64 := strings.TrimSuffix(strings.TrimPrefix(r.Header.Get(headerSignature), Label+"=:"), ":")
				sent = edit(b64)
				r.Header.Set(headerSignature, Label+"=:"+sent+":")
			}}}
		resp, err := (&http.Client{Transport: tr}).Post(srv.URL+"/sns/chat", contentTypeJSON, strings.NewReader(string(chatBody)))
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	// Only a signature whose encoding has padding has a last character
	// with bits that decoders ignore, and padding to leave out: retry until
	// the signer's output has some.
	padded := func(edit func(b64 string) string) (edited string, err error) {
		for range 50 {
			err = call(func(b64 string) string {
				if edited = ""; strings.HasSuffix(b64, "=") {
					edited = edit(b64)
					return edited
				}
				return b64
			})
			if edited != "" {
				return edited, err
			}
		}
		t.Fatal("no signature with padding in 50 tries")
		return "", nil
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	edited, err := padded(func(b64 string) string {
		i := strings.IndexByte(b64, '=') - 1
		return b64[:i] + string(alphabet[strings.IndexByte(alphabet, b64[i])+1]) + b64[i+1:]
	})
	if raw, _ := base64.StdEncoding.DecodeString(edited); base64.StdEncoding.EncodeToString(raw) == edited {
		t.Fatalf("the edit %q is canonical", edited)
	}
	if err != nil {
		t.Errorf("a non-canonical request signature: %v", err)
	}
	_, err = padded(func(b64 string) string { return strings.TrimRight(b64, "=") })
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Reason != ReasonMalformedSignature || !ae.Reported || ae.Unverified == "" {
		t.Errorf("base64 without padding: %v, want a reported, unbound malformed_signature", err)
	}
}

// §3.7: the caller checks a response as the server checks a request,
// without the replay cache: nonce required, created within the same
// window, expires honoured, and bound to its request.
func TestCallerChecksOfResponses(t *testing.T) {
	f := newFixture(t)
	now := time.Now().Unix()
	resp := func(params string) string {
		return `("@status" "content-digest" "imi-origin" "imi-destination" "signature";req;key="imi")` + params + `;keyid="server-b";alg="sm2-sm3";tag="imi-resp"`
	}
	for _, tc := range []struct {
		name  string
		input string
		want  Reason // "" accepted
	}{
		{"canonical", resp(";created=" + strconv.FormatInt(now, 10) + `;nonce="response-nonce-01"`), ""},
		{"expires ahead, first", resp(";expires=" + strconv.FormatInt(now+30, 10) + ";created=" + strconv.FormatInt(now, 10) + `;nonce="response-nonce-02"`), ""},
		{"no nonce", resp(";created=" + strconv.FormatInt(now, 10)), ReasonMalformedSignature},
		{"created too old", resp(";created=" + strconv.FormatInt(now-400, 10) + `;nonce="response-nonce-03"`), ReasonClockSkew},
		{"created ahead", resp(";created=" + strconv.FormatInt(now+400, 10) + `;nonce="response-nonce-04"`), ReasonClockSkew},
		{"expired", resp(";created=" + strconv.FormatInt(now-10, 10) + ";expires=" + strconv.FormatInt(now-5, 10) + `;nonce="response-nonce-05"`), ReasonClockSkew},
		{"not bound", `("@status" "content-digest" "imi-origin" "imi-destination");created=` + strconv.FormatInt(now, 10) + `;nonce="response-nonce-06";keyid="server-b";alg="sm2-sm3";tag="imi-resp"`, ReasonMalformedSignature},
	} {
		srv, client := loopback(t, f, func(r *http.Response, req *http.Request) {
			resign(t, f.b, &message{status: r.StatusCode, header: r.Header, request: requestMessage(req.Method, req.URL, req.Header)}, tc.input)
		})
		resp, err := client.Post(srv.URL+"/sns/chat", contentTypeJSON, strings.NewReader(string(chatBody)))
		if err == nil {
			resp.Body.Close()
		}
		var ae *AuthError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (!errors.As(err, &ae) || ae.Reason != tc.want || ae.Side != SideResponse):
			t.Errorf("%s: %v, want the response refused with %s", tc.name, err, tc.want)
		}
	}
}

// §3.1: only the covered headers matter. A signed POST without
// Content-Type, or with a body of unknown length (chunked), is verified
// like any other; a GET with Content-Length: 0 or none alike.
func TestHeadersOutsideTheSignature(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		req  func() *http.Request
	}{
		{"POST without Content-Type", func() *http.Request {
			r := signedChat(t, f.a, "server-b")
			r.Header.Del("Content-Type")
			return r
		}},
		{"POST chunked", func() *http.Request {
			r := signedChat(t, f.a, "server-b")
			r.ContentLength = -1
			return r
		}},
		{"GET without Content-Length", func() *http.Request {
			r := newRequest(t, http.MethodGet, "http://server-b.test/sns/users?userID=u1%40server-b", nil)
			if err := f.a.SignRequest(r, "server-b"); err != nil {
				t.Fatal(err)
			}
			return r
		}},
		{"GET with Content-Length: 0", func() *http.Request {
			r := newRequest(t, http.MethodGet, "http://server-b.test/sns/users?userID=u1%40server-b", nil)
			if err := f.a.SignRequest(r, "server-b"); err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Content-Length", "0")
			return r
		}},
	} {
		if _, got := serve(t, f.options("server-b"), tc.req()); got != "" {
			t.Errorf("%s: refused with %s", tc.name, got)
		}
	}
}

// §3.4: a refusal of a request without a usable signature binds to
// nothing, and covers IMI-Destination exactly when the request's
// IMI-Origin is a well-formed serverId (registered or not).
func TestUnboundRefusalsNameAValidOrigin(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		origin string // "" none
		dest   string // the refusal's IMI-Destination, "" none
	}{
		{"server-a", "server-a"}, {"nobody-registered", "nobody-registered"},
		{"", ""}, {"bad id", ""}, {"server.a", ""}, {strings.Repeat("x", 65), ""},
	} {
		req := newRequest(t, http.MethodPost, chatURL, chatBody)
		if tc.origin != "" {
			req.Header.Set(HeaderOrigin, tc.origin)
		}
		rec, reason := serve(t, f.options("server-b"), req)
		sig, err := parseSignature(rec.Result().Header)
		if reason != ReasonSignatureMissing || err != nil {
			t.Fatalf("origin %q: %s, %v", tc.origin, reason, err)
		}
		covers := strings.Join(componentIDs(sig.params.components), " ")
		if got := rec.Header().Get(HeaderDestination); got != tc.dest || strings.Contains(covers, "imi-destination") != (tc.dest != "") {
			t.Errorf("origin %q: IMI-Destination %q, covered %s; want %q", tc.origin, got, covers, tc.dest)
		}
		if strings.Contains(covers, ";req") {
			t.Errorf("origin %q: an unsigned request's refusal is bound: %s", tc.origin, covers)
		}
	}
}

func componentIDs(cs []component) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.id
	}
	return ids
}

package httpsig

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The seeds run in every `go test`; `go test -fuzz=FuzzX` explores further.

func FuzzParseSignatureInput(f *testing.F) {
	f.Add(`imi=("@method" "@path" "@query" "content-digest" "imi-origin" "imi-destination");created=1767225600;nonce="AAAAAAAAAAAAAAAAAAAAAA";keyid="server-a";alg="sm2-sm3";tag="imi-req"`, `imi=:MEUCIQD0:`)
	f.Add(`imi=("@status" "signature";req;key="imi");created=1;nonce="0123456789abcdef";keyid="b";tag="imi-resp"`, `imi=:AA==:`)
	f.Add(`imi=(`, `imi=:`)
	f.Add(`sig1=("@method");created=1`, `sig1=:AA==:`)
	f.Add(`imi=("@method" "@method");created=1;nonce="0123456789abcdef";keyid="a";tag="t"`, `imi=:AA==:`)
	f.Add(`imi=("@authority");created=-1`, `imi=?1`)
	f.Fuzz(func(t *testing.T, input, sig string) {
		h := http.Header{"Signature-Input": {input}, "Signature": {sig}}
		s, err := parseSignature(h)
		if err != nil {
			return
		}
		// Whatever parses must satisfy the profile's invariants.
		p := s.params
		if p.created <= 0 || !validNonce(p.nonce) || p.keyid == "" || p.tag == "" || len(p.components) == 0 || len(s.value) == 0 {
			t.Fatalf("accepted %+v", p)
		}
		// And its @signature-params must parse back to itself.
		again, err := parseSignature(http.Header{"Signature-Input": {Label + "=" + p.serialized}, "Signature": {sig}})
		if err != nil || again.params.serialized != p.serialized {
			t.Fatalf("re-parsing %q: %v", p.serialized, err)
		}
	})
}

func FuzzParseContentDigest(f *testing.F) {
	f.Add(ContentDigest(nil))
	f.Add(ContentDigest([]byte("hello")) + ", sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:")
	f.Add("sm3=:AAAA:")
	f.Add("sm3=(1 2)")
	f.Add("sm3")
	f.Fuzz(func(t *testing.T, v string) {
		sum, err := ParseContentDigest([]string{v})
		if err == nil && len(sum) != 32 {
			t.Fatalf("accepted a %d-byte digest", len(sum))
		}
	})
}

// FuzzVerifier throws arbitrary headers and bodies at the middleware,
// starting from a genuine signed request: the handler must run only for
// requests that pass, and nothing may panic.
func FuzzVerifier(f *testing.F) {
	fx := newFixture(f)
	req := signedChat(f, fx.a, "server-b")
	f.Add(req.Header.Get("Signature-Input"), req.Header.Get("Signature"), req.Header.Get("Content-Digest"), "server-a", "server-b", "/sns/chat", chatBody)
	f.Add("imi=(", "", "", "", "", "/", []byte(nil))
	f.Add(req.Header.Get("Signature-Input"), req.Header.Get("Signature"), ContentDigest(nil), "server-a", "server-b", "/sns/chat", []byte{})
	o := fx.options("server-b")
	v := mustVerifier(f, o)
	ran := false
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran = true }))
	f.Fuzz(func(t *testing.T, input, sig, digest, origin, dest, path string, body []byte) {
		r := httptest.NewRequest("POST", "http://server-b.test/", bytes.NewReader(body))
		r.URL.Path, r.URL.RawPath = path, ""
		r.Header = http.Header{"Signature-Input": {input}, "Signature": {sig}, "Content-Digest": {digest}, "Imi-Origin": {origin}, "Imi-Destination": {dest}}
		ran = false
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if ran != (rec.Code == 200) {
			t.Fatalf("status %d but handler ran=%v: %s", rec.Code, ran, rec.Body)
		}
	})
}

package httpsig

import (
	"bytes"
	"net/http"
	"net/textproto"
	"reflect"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/pki"
)

// The fast paths must give what the general parsers give, on everything
// they accept; they may decline anything (the general parser then decides).

const (
	reqInput  = `imi=("@method" "@path" "@query" "content-digest" "imi-origin" "imi-destination");created=1767254400;nonce="2b1hbXBsZS1ub25jZS1h";keyid="alpha-im";alg="sm2-sm3";tag="imi-req"`
	respInput = `imi=("@status" "content-digest" "imi-origin" "imi-destination" "signature";req;key="imi");created=1767254401;nonce="ZXhhbXBsZS1ub25jZS1i";keyid="beta-im";alg="sm2-sm3";tag="imi-resp"`
	sigValue  = `imi=:MEUCIQChqZsJcK6GcSBvOz/p1ecZ3qW6P3W/5+wcF17xHVGZNAIgKZ5khAng+k4eV4V4Q3n6VDqHmdjjrjRk/kyxhcP6+Q4=:`
	digestSM3 = `sm3=:oW9c7VrnJ2uxrm8DUjX6JPf0TC8C7tAnUStsXLJJmsw=:`
)

// fastPathSeeds are inputs on both sides of every rule of the fast path.
var fastPathSeeds = []struct{ input, sig, digest string }{
	{reqInput, sigValue, digestSM3},
	{respInput, sigValue, digestSM3},
	{strings.Replace(reqInput, `;alg="sm2-sm3"`, ``, 1), `imi=:AA==:`, `sm3=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:`},
	{strings.Replace(reqInput, `;tag="imi-req"`, `;tag="imi-req";expires=1767254700`, 1), `imi=:AB==:`, `sm3=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=:`},
	{strings.Replace(reqInput, `created=1767254400`, `created=01767254400`, 1), `imi=:AA:`, digestSM3 + `, sha-256=:AA==:`},
	{strings.Replace(reqInput, `created=1767254400`, `created=1767254400.5`, 1), `imi=:AA==:;x`, ` ` + digestSM3},
	{strings.Replace(reqInput, `created=1767254400`, `created=1234567890123456`, 1), ` ` + sigValue, digestSM3 + ` `},
	{strings.Replace(reqInput, `created=1767254400`, `created=-1`, 1), sigValue + ` `, `sm3=:oW9c7VrnJ2uxrm8DUjX6JPf0TC8C7tAnUStsXLJJms==:`},
	{strings.Replace(reqInput, `"@path" "@query"`, `"@path"  "@query"`, 1), `imi=::`, `sm3=::`},
	{strings.Replace(reqInput, `("@method"`, `( "@method"`, 1), `imi=:` + strings.Repeat("A", 172) + `:`, `sm3=:` + strings.Repeat("A", 44) + `:`},
	{strings.Replace(reqInput, `"imi-destination")`, `"imi-destination" )`, 1), `imi=:` + strings.Repeat("A", 176) + `:`, `sm3=:oW9c7VrnJ2uxrm8DUjX6JPf0TC8C7tAnUStsXLJJmsw=`},
	{strings.Replace(reqInput, `"@method"`, `"@method";req`, 1), `imi=:MEUC\nIQ==:`, `SM3=:oW9c7VrnJ2uxrm8DUjX6JPf0TC8C7tAnUStsXLJJmsw=:`},
	{strings.Replace(reqInput, `"@method"`, `"@authority"`, 1), `imi=?1`, `sm3=?1`},
	{strings.Replace(reqInput, `"@method"`, `"Content-Type"`, 1), `imi=:AA==:, sig1=:AA==:`, ``},
	{strings.Replace(reqInput, `"@method"`, `"a\"b"`, 1), `sig1=:AA==:, imi=:AA==:`, `sm3=(:AA==:)`},
	{strings.Replace(reqInput, `"@method"`, `"@path"`, 1), `imi=:AA==:`, digestSM3},
	{strings.Replace(respInput, `"signature";req;key="imi"`, `"signature";key="imi";req`, 1), sigValue, digestSM3},
	{strings.Replace(respInput, `"signature";req;key="imi"`, `"signature";req=?1;key="imi"`, 1), sigValue, digestSM3},
	{strings.Replace(respInput, `"signature";req;key="imi"`, `"signature";req;key="imi";req`, 1), sigValue, digestSM3},
	{strings.Replace(respInput, `"signature";req;key="imi"`, `"signature";req;key="IMI"`, 1), sigValue, digestSM3},
	{strings.Replace(respInput, `"signature";req;key="imi")`, `"signature";req;key="imi""x")`, 1), sigValue, digestSM3},
	{strings.Replace(respInput, `"signature";req;key="imi")`, `"signature";req;key="imi"x"a")`, 1), sigValue, digestSM3},
	{strings.Replace(respInput, `"@status"`, `"@status"x"a"`, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `nonce="2b1hbXBsZS1ub25jZS1h"`, `nonce="short"`, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `nonce="2b1hbXBsZS1ub25jZS1h"`, `nonce="2b1hbXBsZS1ub25jZS1h\\"`, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `keyid="alpha-im"`, `keyid="alpha.im"`, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `keyid="alpha-im"`, `keyid="`+strings.Repeat("a", 65)+`"`, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `alg="sm2-sm3"`, `alg="ed25519"`, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `alg="sm2-sm3"`, `alg=sm2`, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `;tag="imi-req"`, `;tag="imi-req";tag="imi-resp"`, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `;tag="imi-req"`, `;tag="imi-req";unknown=1`, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `;tag="imi-req"`, `;tag="imi-req" `, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `;tag="imi-req"`, `;tag="imi req"`, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `;tag="imi-req"`, `; tag="imi-req"`, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `;tag="imi-req"`, ``, 1), sigValue, digestSM3},
	{strings.Replace(reqInput, `;tag="imi-req"`, `;tag="imi-req", sig1=("@method");created=1`, 1), sigValue, digestSM3},
	{`imi=()` + reqInput[strings.IndexByte(reqInput, ')')+1:], sigValue, digestSM3},
	{`imi=(` + strings.Repeat(`"a" `, 16) + `"b")` + reqInput[strings.IndexByte(reqInput, ')')+1:], sigValue, digestSM3},
	{`imi=(` + strings.Repeat(`"a`, 16) + `")` + reqInput[strings.IndexByte(reqInput, ')')+1:], sigValue, digestSM3},
	{`imi=("-" "0" "x-y")` + reqInput[strings.IndexByte(reqInput, ')')+1:], sigValue, digestSM3},
	{`imi=("")` + reqInput[strings.IndexByte(reqInput, ')')+1:], sigValue, digestSM3},
	{`imi=("@")` + reqInput[strings.IndexByte(reqInput, ')')+1:], sigValue, digestSM3},
	{`imi=("a@b")` + reqInput[strings.IndexByte(reqInput, ')')+1:], sigValue, digestSM3},
	{`imi=("content-typA")` + reqInput[strings.IndexByte(reqInput, ')')+1:], sigValue, digestSM3},
	{reqInput, `IMI=:AA==:`, `sm3=:AA==:`},
	{`imi=("content-type")` + reqInput[strings.IndexByte(reqInput, ')')+1:], `a.b=:AA==:`, digestSM3},
	{`imi=("@status"`, `imi=:`, `sm3=:`},
	{`imi=(`, `imi`, `sm3`},
	{`imi="x"`, `imi=:AA==:`, digestSM3},
	{``, ``, ``},
}

func FuzzFastPathMatchesHTTPSFV(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add(s.input, s.sig, s.digest)
	}
	f.Fuzz(func(t *testing.T, input, sig, digest string) {
		if fast, ok := fastSignature([]string{input}, []string{sig}); ok {
			general, err := parseSignatureGeneral([]string{input}, []string{sig})
			if err != nil {
				t.Fatalf("fast path accepted what the general parser refuses (%v):\n%s\n%s", err, input, sig)
			}
			if !sameSignature(fast, general) {
				t.Fatalf("fast path differs from the general parser:\n%+v\n%+v", fast, general)
			}
		}
		for _, key := range []string{Label, digestKey, "IMI", "a.b"} {
			if _, member, ok := fastBytesMember(sig, key); ok {
				general, err := dictionaryMemberGeneral([]string{sig}, component{id: "x", key: key})
				if err != nil || general != member {
					t.Fatalf("fast member %q of %q, general %q (%v)", member, sig, general, err)
				}
			}
		}
		if fast, ok := fastContentDigest([]string{digest}); ok {
			general, err := parseContentDigestGeneral([]string{digest})
			if err != nil || !bytes.Equal(fast, general) {
				t.Fatalf("fast digest %x of %q, general %x (%v)", fast, digest, general, err)
			}
		}
		for _, id := range []string{input, sig, digest} {
			if validServerID(id) != (pki.ValidateServerID(id) == nil) {
				t.Fatalf("validServerID(%q) = %v disagrees with pki.ValidateServerID", id, validServerID(id))
			}
		}
	})
}

// sameSignature compares what callers of parseSignature see.
func sameSignature(a, b *signature) bool {
	pa, pb := a.params, b.params
	return reflect.DeepEqual(pa.components, pb.components) &&
		pa.created == pb.created && pa.expires == pb.expires && pa.nonce == pb.nonce && pa.keyid == pb.keyid &&
		pa.alg == pb.alg && pa.tag == pb.tag && pa.serialized == pb.serialized &&
		bytes.Equal(a.value, b.value) && a.member == b.member
}

// TestFastPathTakesOurOwnMessages: whatever our Signer sends, and the
// worked example, takes the fast path; otherwise it silently stops paying.
func TestFastPathTakesOurOwnMessages(t *testing.T) {
	f := newFixture(t)
	req := signedChat(t, f.a, "server-b")
	resp := http.Header{}
	if err := f.b.SignResponse(resp, 200, []byte("{}"), req); err != nil {
		t.Fatal(err)
	}
	unbound := http.Header{}
	if err := f.b.SignResponse(unbound, 400, nil, newRequest(t, "GET", chatURL, nil)); err != nil {
		t.Fatal(err)
	}
	for name, h := range map[string]http.Header{
		"request": req.Header, "response": resp, "unbound response": unbound,
		"example request":  {"Signature-Input": {reqInput}, "Signature": {sigValue}, "Content-Digest": {digestSM3}},
		"example response": {"Signature-Input": {respInput}, "Signature": {sigValue}, "Content-Digest": {digestSM3}},
	} {
		if _, ok := fastSignature(h["Signature-Input"], h["Signature"]); !ok {
			t.Errorf("%s: the fast path declines %q", name, h["Signature-Input"])
		}
		if _, ok := fastContentDigest(h["Content-Digest"]); !ok {
			t.Errorf("%s: the fast path declines Content-Digest %q", name, h["Content-Digest"])
		}
		if _, _, ok := fastBytesMember(h.Get("Signature"), Label); !ok {
			t.Errorf("%s: the fast path declines Signature %q", name, h.Get("Signature"))
		}
	}
}

// TestFastPathDeclinesNonCanonical: inputs the general parser accepts but
// re-serializes differently, or refuses, are left to it; parseSignature's
// answer is the general parser's.
func TestFastPathDeclinesNonCanonical(t *testing.T) {
	after := reqInput[strings.IndexByte(reqInput, ')')+1:]
	for _, tc := range []struct {
		name, input, sig string
		wantErr          string // "" when the general parser accepts
		serialized       string // its serialization then
	}{
		{name: "leading zero", input: strings.Replace(reqInput, `created=1767254400`, `created=01767254400`, 1), sig: sigValue,
			serialized: reqInput[4:]},
		{name: "two spaces", input: strings.Replace(reqInput, `"@path" "@query"`, `"@path"  "@query"`, 1), sig: sigValue,
			serialized: reqInput[4:]},
		{name: "boolean spelled out", input: strings.Replace(respInput, `;req;`, `;req=?1;`, 1), sig: sigValue,
			serialized: respInput[4:]},
		{name: "unknown parameter", input: reqInput + `;x=1`, sig: sigValue, serialized: reqInput[4:] + `;x=1`},
		{name: "duplicate parameter", input: reqInput + `;tag="imi-resp"`, sig: sigValue,
			serialized: strings.Replace(reqInput[4:], `imi-req`, `imi-resp`, 1)},
		{name: "other label too", input: reqInput + `, sig1=("@method");created=1`, sig: sigValue, serialized: reqInput[4:]},
		{name: "non-canonical base64", input: reqInput, sig: `imi=:AB==:`, serialized: reqInput[4:]},
		{name: "empty list", input: `imi=()` + after, sig: sigValue, wantErr: `must cover 1 to 16 components`},
		{name: "duplicate component", input: `imi=("@path" "@path")` + after, sig: sigValue, wantErr: `component "@path" is covered twice`},
		{name: "unsupported derived", input: `imi=("@authority")` + after, sig: sigValue, wantErr: `derived component "@authority" is not supported`},
		{name: "bad nonce", input: strings.Replace(reqInput, `2b1hbXBsZS1ub25jZS1h`, `short`, 1), sig: sigValue, wantErr: `signature parameter "nonce" has a bad value`},
		{name: "bad keyid", input: strings.Replace(reqInput, `alpha-im`, `alpha.im`, 1), sig: sigValue, wantErr: `signature parameter "keyid" has a bad value`},
		{name: "bad alg", input: strings.Replace(reqInput, `sm2-sm3`, `ed25519`, 1), sig: sigValue, wantErr: `signature parameter "alg" has a bad value`},
		{name: "no tag", input: strings.Replace(reqInput, `;tag="imi-req"`, ``, 1), sig: sigValue, wantErr: `signature parameter "tag" is missing`},
		{name: "empty signature", input: reqInput, sig: `imi=::`, wantErr: `must be a byte sequence of 1 to 128 bytes`},
		{name: "long signature", input: reqInput, sig: `imi=:` + strings.Repeat("A", 172) + `:`, wantErr: `must be a byte sequence of 1 to 128 bytes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := fastSignature([]string{tc.input}, []string{tc.sig}); ok {
				t.Fatal("the fast path accepted it")
			}
			s, err := parseSignature(http.Header{"Signature-Input": {tc.input}, "Signature": {tc.sig}})
			switch {
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			case tc.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.wantErr == "" && s.params.serialized != tc.serialized:
				t.Fatalf("serialized %s, want %s", s.params.serialized, tc.serialized)
			}
		})
	}
}

func TestFastContentDigest(t *testing.T) {
	sum := []byte{0xa1, 0x6f, 0x5c, 0xed, 0x5a, 0xe7, 0x27, 0x6b, 0xb1, 0xae, 0x6f, 0x03, 0x52, 0x35, 0xfa, 0x24,
		0xf7, 0xf4, 0x4c, 0x2f, 0x02, 0xee, 0xd0, 0x27, 0x51, 0x2b, 0x6c, 0x5c, 0xb2, 0x49, 0x9a, 0xcc}
	for _, tc := range []struct {
		name  string
		lines []string
		fast  bool
		want  []byte // what ParseContentDigest returns; nil: an error
	}{
		{"canonical", []string{digestSM3}, true, sum},
		{"with another algorithm", []string{digestSM3 + ", sha-256=:AA==:"}, false, sum},
		{"two lines", []string{digestSM3, "sha-256=:AA==:"}, false, sum},
		{"non-canonical base64", []string{"sm3=:oW9c7VrnJ2uxrm8DUjX6JPf0TC8C7tAnUStsXLJJmsx=:"}, false, sum},
		{"31 bytes", []string{"sm3=:" + strings.Repeat("A", 40) + "AA==:"}, false, nil},
		{"none", nil, false, nil},
		{"not a byte sequence", []string{"sm3=1"}, false, nil},
	} {
		_, fast := fastContentDigest(tc.lines)
		got, err := ParseContentDigest(tc.lines)
		if fast != tc.fast || !bytes.Equal(got, tc.want) || (err == nil) != (tc.want != nil) {
			t.Errorf("%s: fast %v, got %x, %v; want fast %v, %x", tc.name, fast, got, err, tc.fast, tc.want)
		}
	}
}

func TestValidServerID(t *testing.T) {
	for _, id := range []string{"", "a", "server-a", "vrv_linkdood", "A-Z_0-9", strings.Repeat("x", 64), strings.Repeat("x", 65),
		"a.b", "a b", "a@b", "é", "a\n", "a:1", "-", "_"} {
		if validServerID(id) != (pki.ValidateServerID(id) == nil) {
			t.Errorf("validServerID(%q) = %v disagrees with pki.ValidateServerID", id, validServerID(id))
		}
	}
}

func TestCanonicalHeaderKeys(t *testing.T) {
	for key, canonical := range map[string]string{HeaderOrigin: canonicalOrigin, HeaderDestination: canonicalDestination,
		headerContentDigest: headerContentDigest, headerSignature: headerSignature, headerSignatureInput: headerSignatureInput} {
		if got := textproto.CanonicalMIMEHeaderKey(key); got != canonical {
			t.Errorf("%s canonicalizes to %s, not %s", key, got, canonical)
		}
	}
	for _, name := range append(requestComponents, responseComponents...) {
		if !strings.HasPrefix(name, "@") && fieldName(name) != textproto.CanonicalMIMEHeaderKey(name) {
			t.Errorf("fieldName(%q) = %q", name, fieldName(name))
		}
	}
}

package httpsig

import (
	"bufio"
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
)

// The worked example of docs/PROTOCOL.md §3.10 lives in testdata/example.
// `go test -run TestExample -update-example` regenerates it (new keys, new
// signatures); then paste the files into the document. The tests below
// check that the example verifies, with our code and with OpenSSL, and that
// the document shows it verbatim.

var updateExample = flag.Bool("update-example", false, "regenerate testdata/example")

const exampleDir = "testdata/example"

var (
	exampleCreated  = time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	exampleURL      = "https://im.beta.example/sns/invite/grprep?groupID=g1%40beta-im"
	exampleBody     = []byte(`{"ownerID":"u7@alpha-im","respResult":1}`)
	exampleRespBody = []byte(`{"code":0,"error":""}`)
)

func TestExampleGenerate(t *testing.T) {
	if !*updateExample {
		t.Skip("run with -update-example to regenerate the worked example")
	}
	// A root valid around the example's date.
	key, _ := pki.GenerateKey()
	der, err := pki.CreateRootCert(key, "imictl example root", exampleCreated.AddDate(-1, 0, 0), exampleCreated.AddDate(10, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	root, _ := smx509.ParseCertificate(der)
	ca := &testCA{issuer: &pki.Issuer{Cert: root, Key: key}}
	from, to := exampleCreated.AddDate(0, -1, 0), exampleCreated.AddDate(2, 0, 0)
	certA, keyA := ca.issue(t, "alpha-im", from, to)
	certB, keyB := ca.issue(t, "beta-im", from, to)
	a, _ := NewSigner(keyA, certA)
	b, _ := NewSigner(keyB, certB)
	a.now = func() time.Time { return exampleCreated }
	a.nonce = func() (string, error) { return "2b1hbXBsZS1ub25jZS1h", nil }
	b.now = func() time.Time { return exampleCreated.Add(time.Second) }
	b.nonce = func() (string, error) { return "ZXhhbXBsZS1ub25jZS1i", nil }

	req := newRequest(t, http.MethodPost, exampleURL, exampleBody)
	req.Header.Set("Content-Type", contentTypeJSON)
	req.Header.Set("User-Agent", "imictl")
	if err := a.SignRequest(req, "beta-im"); err != nil {
		t.Fatal(err)
	}
	var reqWire bytes.Buffer
	req.Write(&reqWire)

	resp := &http.Response{StatusCode: 200, ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{"Content-Type": {contentTypeJSON}},
		ContentLength: int64(len(exampleRespBody)), Body: http.NoBody}
	if err := b.SignResponse(resp.Header, 200, exampleRespBody, req); err != nil {
		t.Fatal(err)
	}
	resp.Body = readCloser(exampleRespBody)
	var respWire bytes.Buffer
	resp.Write(&respWire)

	pubA, _ := pki.EncodePublicKeyPEM(&keyA.PublicKey)
	pubB, _ := pki.EncodePublicKeyPEM(&keyB.PublicKey)
	files := map[string][]byte{
		"request.http":     reqWire.Bytes(),
		"response.http":    respWire.Bytes(),
		"request.base":     []byte(docRequestBase(req.Method, req.URL.EscapedPath(), req.URL.RawQuery, req.Header)),
		"response.base":    []byte(docResponseBase("200", resp.Header, req.Header)),
		"alpha-im.pub.pem": pubA,
		"beta-im.pub.pem":  pubB,
		"alpha-im.pem":     pki.EncodeCertificatePEM(certA.Raw),
		"beta-im.pem":      pki.EncodeCertificatePEM(certB.Raw),
		"root.pem":         pki.EncodeCertificatePEM(root.Raw),
	}
	os.MkdirAll(exampleDir, 0o755)
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(exampleDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readCloser(b []byte) *bodyReader { return &bodyReader{bytes.NewReader(b)} }

type bodyReader struct{ *bytes.Reader }

func (*bodyReader) Close() error { return nil }

func readExample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(exampleDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func exampleCert(t *testing.T, name string) *smx509.Certificate {
	t.Helper()
	c, err := pki.ParseCertificatePEM(readExample(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestExampleVerifies: the example request and response pass our verifier
// at the example's time, and OpenSSL verifies both signature bases.
func TestExampleVerifies(t *testing.T) {
	roots := smx509.NewCertPool()
	roots.AddCert(exampleCert(t, "root.pem"))
	dir := StaticResolver{
		"alpha-im": {ServerID: "alpha-im", Certificate: exampleCert(t, "alpha-im.pem")},
		"beta-im":  {ServerID: "beta-im", Certificate: exampleCert(t, "beta-im.pem")},
	}
	clock := func() time.Time { return exampleCreated.Add(2 * time.Second) }
	beta := mustVerifier(t, Options{Self: "beta-im", Resolver: dir, Roots: roots, NoRevocationCheck: true, Now: clock, Logger: quietLogger()})
	alpha := mustVerifier(t, Options{Self: "alpha-im", Resolver: dir, Roots: roots, NoRevocationCheck: true, Now: clock, Logger: quietLogger()})

	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(readExample(t, "request.http"))))
	if err != nil {
		t.Fatal(err)
	}
	origin, body, e := beta.verifyRequest(req)
	if e != nil || origin != "alpha-im" || !bytes.Equal(body, exampleBody) {
		t.Fatalf("the example request does not verify: %v", e)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(readExample(t, "response.http"))), req)
	if err != nil {
		t.Fatal(err)
	}
	if err := alpha.VerifyResponse(req, resp, exampleRespBody, "beta-im"); err != nil {
		t.Fatalf("the example response does not verify: %v", err)
	}

	tmp := t.TempDir()
	for _, c := range []struct {
		base, pub string
		h         http.Header
	}{{"request.base", "alpha-im.pub.pem", req.Header}, {"response.base", "beta-im.pub.pem", resp.Header}} {
		if ok, out := opensslVerifies(t, tmp, readExample(t, c.pub), string(readExample(t, c.base)), sigDER(t, c.h)); !ok {
			t.Errorf("OpenSSL rejects %s: %s", c.base, out)
		}
	}
}

// TestProtocolDocShowsExample: docs/PROTOCOL.md quotes the example verbatim.
func TestProtocolDocShowsExample(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"request.http", "request.base", "response.http", "response.base", "alpha-im.pub.pem", "beta-im.pub.pem"} {
		text := strings.ReplaceAll(string(readExample(t, name)), "\r\n", "\n")
		if !strings.Contains(string(doc), strings.TrimSpace(text)) {
			t.Errorf("docs/PROTOCOL.md does not show testdata/example/%s verbatim", name)
		}
	}
}

// TestSignerReproducesExample: signing the example's request and response
// again, with the example's clock and nonces but fresh keys, gives the same
// headers, and the new signatures verify over the example's bases byte for
// byte. It pins the wire format of what we send, whatever the
// implementation does to be fast.
func TestSignerReproducesExample(t *testing.T) {
	wireReq, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(readExample(t, "request.http"))))
	if err != nil {
		t.Fatal(err)
	}
	wireResp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(readExample(t, "response.http"))), wireReq)
	if err != nil {
		t.Fatal(err)
	}
	signer := func(id string, at time.Time, nonce string) (*Signer, *sm2.PrivateKey) {
		key, err := pki.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewKeySigner(key, id)
		if err != nil {
			t.Fatal(err)
		}
		s.now = func() time.Time { return at }
		s.nonce = func() (string, error) { return nonce, nil }
		return s, key
	}
	same := func(what string, got, want http.Header, base string, key *sm2.PrivateKey) {
		t.Helper()
		for _, name := range []string{"Content-Digest", "Imi-Origin", "Imi-Destination", "Signature-Input"} {
			if g, w := got.Values(name), want.Values(name); len(g) != 1 || len(w) != 1 || g[0] != w[0] {
				t.Errorf("%s %s = %q, the example has %q", what, name, g, w)
			}
		}
		if !pki.VerifySignature(&key.PublicKey, readExample(t, base), sigDER(t, got)) {
			t.Errorf("the %s signature is not over testdata/example/%s", what, base)
		}
	}

	a, keyA := signer("alpha-im", exampleCreated, "2b1hbXBsZS1ub25jZS1h")
	req := newRequest(t, http.MethodPost, exampleURL, exampleBody)
	if err := a.SignRequest(req, "beta-im"); err != nil {
		t.Fatal(err)
	}
	same("request", req.Header, wireReq.Header, "request.base", keyA)

	b, keyB := signer("beta-im", exampleCreated.Add(time.Second), "ZXhhbXBsZS1ub25jZS1i")
	h := http.Header{}
	if err := b.SignResponse(h, 200, exampleRespBody, wireReq); err != nil {
		t.Fatal(err)
	}
	same("response", h, wireResp.Header, "response.base", keyB)
}

// TestExampleNonCanonicalRequestSignature is the example of
// docs/PROTOCOL.md 3.4: the example request with its signature spelled
// "...Q5=" instead of "...Q4=" still verifies, and the example response,
// bound to the canonical "...Q4=", verifies as the answer to it.
func TestExampleNonCanonicalRequestSignature(t *testing.T) {
	roots := smx509.NewCertPool()
	roots.AddCert(exampleCert(t, "root.pem"))
	dir := StaticResolver{
		"alpha-im": {ServerID: "alpha-im", Certificate: exampleCert(t, "alpha-im.pem")},
		"beta-im":  {ServerID: "beta-im", Certificate: exampleCert(t, "beta-im.pem")},
	}
	clock := func() time.Time { return exampleCreated.Add(2 * time.Second) }
	beta := mustVerifier(t, Options{Self: "beta-im", Resolver: dir, Roots: roots, NoRevocationCheck: true, Now: clock, Logger: quietLogger()})
	alpha := mustVerifier(t, Options{Self: "alpha-im", Resolver: dir, Roots: roots, NoRevocationCheck: true, Now: clock, Logger: quietLogger()})
	const canonical, spelled = "hcP6+Q4=:", "hcP6+Q5=:"
	wire := string(readExample(t, "request.http"))
	if !strings.Contains(wire, canonical) {
		t.Fatalf("the example signature no longer ends in %q: update docs/PROTOCOL.md 3.4 and this test", canonical)
	}
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(strings.Replace(wire, canonical, spelled, 1))))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, e := beta.verifyRequest(req); e != nil {
		t.Fatalf("the request with a non-canonical signature spelling: %v", e)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(readExample(t, "response.http"))), req)
	if err != nil {
		t.Fatal(err)
	}
	if base := string(readExample(t, "response.base")); !strings.Contains(base, `"signature";req;key="imi": :MEUC`) || !strings.Contains(base, canonical+"\n") {
		t.Fatal("the example response base does not bind the canonical spelling")
	}
	if err := alpha.VerifyResponse(req, resp, exampleRespBody, "beta-im"); err != nil {
		t.Errorf("the response bound to the canonical form, for the request spelled otherwise: %v", err)
	}
}

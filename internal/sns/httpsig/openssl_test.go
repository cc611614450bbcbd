package httpsig

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/pki"
)

// These tests make OpenSSL 3, an implementation that shares no code with
// ours, check our signatures. The signature bases are rebuilt here from the
// rules of docs/PROTOCOL.md, section 3, by plain string concatenation of the
// headers as sent, not with the package's own code. CI installs openssl; a
// machine without it skips them.

func opensslRun(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeTemp(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// docRequestBase is the request signature base of PROTOCOL.md §3.3.
func docRequestBase(method, path, rawQuery string, h http.Header) string {
	return `"@method": ` + method + "\n" +
		`"@path": ` + path + "\n" +
		`"@query": ?` + rawQuery + "\n" +
		`"content-digest": ` + h.Get("Content-Digest") + "\n" +
		`"imi-origin": ` + h.Get("IMI-Origin") + "\n" +
		`"imi-destination": ` + h.Get("IMI-Destination") + "\n" +
		`"@signature-params": ` + strings.TrimPrefix(h.Get("Signature-Input"), "imi=")
}

// docResponseBase is the response signature base of PROTOCOL.md §3.4.
func docResponseBase(status string, h, reqHeader http.Header) string {
	return `"@status": ` + status + "\n" +
		`"content-digest": ` + h.Get("Content-Digest") + "\n" +
		`"imi-origin": ` + h.Get("IMI-Origin") + "\n" +
		`"imi-destination": ` + h.Get("IMI-Destination") + "\n" +
		`"signature";req;key="imi": ` + strings.TrimPrefix(reqHeader.Get("Signature"), "imi=") + "\n" +
		`"@signature-params": ` + strings.TrimPrefix(h.Get("Signature-Input"), "imi=")
}

// sigDER extracts the DER signature from `Signature: imi=:<base64>:`.
func sigDER(t *testing.T, h http.Header) []byte {
	t.Helper()
	v := h.Get("Signature")
	if !strings.HasPrefix(v, "imi=:") || !strings.HasSuffix(v, ":") {
		t.Fatalf("Signature %q is not `imi=:<base64>:`", v)
	}
	der, err := base64.StdEncoding.DecodeString(v[len("imi=:") : len(v)-1])
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// opensslVerifies runs `openssl dgst -sm3 -verify` over base.
func opensslVerifies(t *testing.T, dir string, pubPEM []byte, base string, sig []byte) (bool, string) {
	t.Helper()
	writeTemp(t, dir, "pub.pem", pubPEM)
	writeTemp(t, dir, "base.txt", []byte(base))
	writeTemp(t, dir, "sig.der", sig)
	out, err := opensslRun(t, dir, "dgst", "-sm3", "-verify", "pub.pem", "-sigopt", "distid:"+pki.DefaultUID, "-signature", "sig.der", "base.txt")
	return err == nil && strings.Contains(out, "Verified OK"), out
}

func TestOpenSSLVerifiesOurSignatures(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	req := signedChat(t, f.a, "server-b")
	pubA, _ := pki.EncodePublicKeyPEM(&f.a.key.PublicKey)
	pubB, _ := pki.EncodePublicKeyPEM(&f.b.key.PublicKey)

	// The request.
	base := docRequestBase(req.Method, req.URL.EscapedPath(), req.URL.RawQuery, req.Header)
	if ok, out := opensslVerifies(t, dir, pubA, base, sigDER(t, req.Header)); !ok {
		t.Fatalf("OpenSSL rejects the request signature over\n%s\n%s", base, out)
	}
	// The same check fails on a base that differs by one byte: the test can fail.
	if ok, _ := opensslVerifies(t, dir, pubA, strings.Replace(base, "POST", "PUT", 1), sigDER(t, req.Header)); ok {
		t.Fatal("OpenSSL accepts the signature over an altered base")
	}
	// The Content-Digest is SM3 as OpenSSL computes it.
	writeTemp(t, dir, "body", chatBody)
	out, _ := opensslRun(t, dir, "dgst", "-sm3", "-binary", "-out", "body.sm3", "body")
	sum, err := os.ReadFile(filepath.Join(dir, "body.sm3"))
	if err != nil {
		t.Fatalf("openssl: %s %v", out, err)
	}
	if want := "sm3=:" + base64.StdEncoding.EncodeToString(sum) + ":"; req.Header.Get("Content-Digest") != want {
		t.Errorf("Content-Digest %q, OpenSSL says %q", req.Header.Get("Content-Digest"), want)
	}

	// The response, bound to the request.
	h := mustVerifier(t, f.options("server-b")).Middleware(echoHandler)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("request refused: %s", rec.Body)
	}
	rbase := docResponseBase("200", rec.Header(), req.Header)
	if ok, out := opensslVerifies(t, dir, pubB, rbase, sigDER(t, rec.Header())); !ok {
		t.Fatalf("OpenSSL rejects the response signature over\n%s\n%s", rbase, out)
	}
}

// The other way round: a signature OpenSSL makes over the documented base is
// accepted by our verifier.
func TestWeVerifyOpenSSLSignatures(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	req := signedChat(t, f.a, "server-b")
	keyPEM, err := pki.EncodePrivateKeyPEM(f.a.key, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeTemp(t, dir, "key.pem", keyPEM)
	writeTemp(t, dir, "base.txt", []byte(docRequestBase(req.Method, req.URL.EscapedPath(), req.URL.RawQuery, req.Header)))
	if out, err := opensslRun(t, dir, "dgst", "-sm3", "-sign", "key.pem", "-sigopt", "distid:"+pki.DefaultUID, "-out", "sig.der", "base.txt"); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	der, err := os.ReadFile(filepath.Join(dir, "sig.der"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Signature", "imi=:"+base64.StdEncoding.EncodeToString(der)+":")
	rec := httptest.NewRecorder()
	mustVerifier(t, f.options("server-b")).Middleware(echoHandler).ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("our verifier refuses OpenSSL's signature: %d %s", rec.Code, rec.Body)
	}
}

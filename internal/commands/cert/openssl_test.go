package cert_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/pki"
)

const distID = "distid:" + pki.DefaultUID

// opensslCA builds a root and a leaf for srv1 entirely with OpenSSL, as
// internal/pki's oracle tests do.
func opensslCA(t *testing.T, dir, prefix string) {
	t.Helper()
	cmdtest.OpenSSL(t, dir, "genpkey", "-algorithm", "SM2", "-out", prefix+"ca.key")
	cmdtest.OpenSSL(t, dir, "req", "-x509", "-new", "-key", prefix+"ca.key", "-sm3", "-sigopt", distID, "-subj", "/CN="+prefix+"Root",
		"-days", "30", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", prefix+"ca.crt")
	cmdtest.OpenSSL(t, dir, "genpkey", "-algorithm", "SM2", "-out", prefix+"leaf.key")
	cmdtest.OpenSSL(t, dir, "req", "-new", "-key", prefix+"leaf.key", "-sm3", "-sigopt", distID, "-subj", "/CN=srv1", "-out", prefix+"leaf.csr")
	cmdtest.WriteFile(t, dir, "ext.cnf", []byte("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=URI:urn:imi:server:srv1\n"))
	cmdtest.OpenSSL(t, dir, "x509", "-req", "-in", prefix+"leaf.csr", "-CA", prefix+"ca.crt", "-CAkey", prefix+"ca.key", "-sm3",
		"-sigopt", distID, "-vfyopt", distID, "-extfile", "ext.cnf", "-days", "30", "-out", prefix+"leaf.crt")
}

func TestVerifyOpenSSLChain(t *testing.T) {
	dir := t.TempDir()
	opensslCA(t, dir, "a-")
	opensslCA(t, dir, "b-")
	path := func(name string) string { return filepath.Join(dir, name) }

	// OpenSSL 3.0 cannot verify SM2 CRL signatures, so the CRL is signed
	// by pki with the CA key OpenSSL made.
	root, err := pki.ParseCertificatePEM(cmdtest.ReadFile(t, path("a-ca.crt")))
	if err != nil {
		t.Fatal(err)
	}
	caKey, err := pki.DecodePrivateKeyPEM(cmdtest.ReadFile(t, path("a-ca.key")), nil)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.ParseCertificatePEM(cmdtest.ReadFile(t, path("a-leaf.crt")))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now() // OpenSSL's certificates are valid from now on
	ca := &pki.Issuer{Cert: root, Key: caKey}
	emptyCRL := cmdtest.WriteFile(t, dir, "empty.crl", crl(t, ca, now.Add(-time.Minute)))
	revokedCRL := cmdtest.WriteFile(t, dir, "revoked.crl", crl(t, ca, now.Add(-time.Minute), leaf.SerialNumber))

	res := cmdtest.Run(t, cmdtest.Options{Now: now}, "cert", "verify", path("a-leaf.crt"), "--root", path("a-ca.crt"),
		"--server-id", "srv1", "--crl", emptyCRL)
	res.Expect(t, 0)
	if !strings.HasSuffix(res.Stdout, "Revocation:   checked against the CRL\nResult:       valid\n") {
		t.Errorf("stdout:\n%s", res.Stdout)
	}
	for _, tt := range []struct {
		name, root, crl, reason string
	}{
		{"wrong root", path("b-ca.crt"), "", "unknown_authority"},
		{"revoked serial", path("a-ca.crt"), revokedCRL, "revoked"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"cert", "verify", path("a-leaf.crt"), "--root", tt.root}
			if tt.crl != "" {
				args = append(args, "--crl", tt.crl)
			}
			res := cmdtest.Run(t, cmdtest.Options{Now: now}, args...)
			res.Expect(t, cmdutil.ExitAuth)
			if !strings.HasSuffix(res.Stderr, "(reason: "+tt.reason+")\n") {
				t.Errorf("stderr = %q, want reason %s", res.Stderr, tt.reason)
			}
		})
	}
}

func TestFingerprintMatchesOpenSSL(t *testing.T) {
	dir := t.TempDir()
	opensslCA(t, dir, "")
	fixed, err := filepath.Abs(fixture(t, "leaf.crt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{filepath.Join(dir, "ca.crt"), filepath.Join(dir, "leaf.crt"), fixed} {
		name := filepath.Base(file)
		out := cmdtest.OpenSSL(t, dir, "x509", "-in", file, "-noout", "-fingerprint", "-sha256")
		theirs := strings.TrimSpace(out[strings.Index(out, "=")+1:])
		colon := cmdtest.Run(t, cmdtest.Options{}, "cert", "fingerprint", file, "--encoding", "colon")
		colon.Expect(t, 0)
		if colon.Stdout != theirs+"\n" {
			t.Errorf("%s: ours %q, OpenSSL's %q", name, colon.Stdout, theirs)
		}
		hex := cmdtest.Run(t, cmdtest.Options{}, "cert", "fingerprint", file)
		hex.Expect(t, 0)
		if hex.Stdout != strings.ToLower(strings.ReplaceAll(theirs, ":", ""))+"\n" {
			t.Errorf("%s: ours %q, OpenSSL's %q", name, hex.Stdout, theirs)
		}
	}
}

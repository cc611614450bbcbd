package csr_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/pki"
)

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	_, k := cmdtest.KeyFile(t, dir, "k", "")
	der, err := pki.CreateCSR(k, pki.CSRTemplate{ServerID: "srv1", ServerName: "Srv", DNSNames: []string{"im.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	pemPath := cmdtest.WriteFile(t, dir, "srv1.csr", pki.EncodeCSRPEM(der))
	derPath := cmdtest.WriteFile(t, dir, "srv1.der", der)
	table := func(file string) string {
		return csrTable(file, "srv1", "CN=srv1,O=Srv", "im.example.com", "urn:imi:server:srv1", "SM2-SM3, valid", fingerprints(t, k))
	}
	tests := []struct {
		name  string
		tty   bool
		stdin string
		args  []string
		want  string
	}{
		{"pipe, PEM", false, "", []string{pemPath}, table(pemPath)},
		{"terminal, PEM", true, "", []string{pemPath}, table(pemPath)},
		{"pipe, DER", false, "", []string{derPath}, table(derPath)},
		{"pipe, stdin", false, string(pki.EncodeCSRPEM(der)), []string{"-"}, table("-")},
		{"yaml", false, "", []string{pemPath, "-o", "yaml"}, "" +
			"file: " + pemPath + "\n" +
			"serverId: srv1\n" +
			"subject: CN=srv1,O=Srv\n" +
			"dnsNames:\n  - im.example.com\n" +
			"uris:\n  - urn:imi:server:srv1\n" +
			"signatureAlgorithm: SM2-SM3\n" +
			"signatureValid: true\n" +
			"problems: []\n" +
			"publicKeyFingerprints:\n" +
			"  sha256: " + fingerprints(t, k).SHA256 + "\n" +
			"  sm3: " + fingerprints(t, k).SM3 + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{TTY: tt.tty, Stdin: tt.stdin}, append([]string{"csr", "inspect"}, tt.args...)...)
			res.Expect(t, 0)
			if res.Stdout != tt.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, tt.want)
			}
			if res.Stderr != "" {
				t.Errorf("stderr = %q", res.Stderr)
			}
		})
	}
}

// A request that would be refused is still shown; the problems go to
// stderr and the exit status is 4 with the reason.
func TestInspectProblems(t *testing.T) {
	dir := t.TempDir()
	_, k := cmdtest.KeyFile(t, dir, "k", "")
	good, _ := pki.CreateCSR(k, pki.CSRTemplate{ServerID: "srv1"})
	broken := append([]byte{}, good...)
	broken[len(broken)-1] ^= 0xff // the last byte of the signature
	unbound, err := smx509.CreateCertificateRequest(rand.Reader, &smx509.CertificateRequest{
		Subject: pkix.Name{CommonName: "srv1"}, SignatureAlgorithm: smx509.SM2WithSM3}, k)
	if err != nil {
		t.Fatal(err)
	}
	// Made once with OpenSSL 3 (a fixed file, so this runs without it):
	//   openssl genpkey -algorithm SM2 -out k.pem
	//   openssl req -new -key k.pem -sm3 -subj /CN=srv1 -addext subjectAltName=URI:urn:imi:server:srv1
	// Without -sigopt distid:1234567812345678 OpenSSL signs with an empty SM2 id.
	noDistID := cmdtest.ReadFile(t, filepath.Join("testdata", "openssl-no-distid.csr"))
	noDistIDCSR, err := pki.ParseCSR(noDistID)
	if err != nil {
		t.Fatal(err)
	}
	bothDER := append([]byte{}, unbound...)
	bothDER[len(bothDER)-1] ^= 0xff

	fp := fingerprints(t, k)
	tests := []struct {
		name   string
		data   []byte
		stdout string
		reason string
		stderr string
	}{
		{"broken signature", broken,
			csrTable("FILE", "srv1", "CN=srv1", "none", "urn:imi:server:srv1", "SM2-SM3, INVALID", fp), "bad_signature",
			"imictl: the CSR's signature does not verify (the request was altered, or signed with another key or SM2 id): "},
		{"OpenSSL without distid", noDistID,
			csrTable("FILE", "srv1", "CN=srv1", "none", "urn:imi:server:srv1", "SM2-SM3, INVALID", key.FingerprintsOf(noDistIDCSR.RawSubjectPublicKeyInfo)), "bad_signature",
			"imictl: " + pki.ErrCSREmptyDistID.Error() + " (reason: bad_signature)\n"},
		{"no serverId binding", unbound,
			csrTable("FILE", "none", "CN=srv1", "none", "none", "SM2-SM3, valid", fp), "wrong_server_id",
			"imictl: the CSR does not bind a serverId: no urn:imi:server:<serverId> URI SAN: it does not name an IM server (reason: wrong_server_id)\n"},
		{"both", bothDER,
			csrTable("FILE", "none", "CN=srv1", "none", "none", "SM2-SM3, INVALID", fp), "bad_signature",
			"imictl: the CSR's signature does not verify"},
	}
	for _, tt := range tests {
		for _, tty := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{false: ", pipe", true: ", terminal"}[tty], func(t *testing.T) {
				path := cmdtest.WriteFile(t, t.TempDir(), "req.csr", tt.data)
				res := cmdtest.Run(t, cmdtest.Options{TTY: tty}, "csr", "inspect", path)
				res.Expect(t, cmdutil.ExitAuth)
				if want := strings.ReplaceAll(tt.stdout, "FILE", path); res.Stdout != want {
					t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
				}
				if !strings.HasPrefix(res.Stderr, tt.stderr) || !strings.HasSuffix(res.Stderr, "(reason: "+tt.reason+")\n") {
					t.Errorf("stderr = %q\nwant it to start with %q and end with the reason %s", res.Stderr, tt.stderr, tt.reason)
				}
			})
		}
	}
	res := cmdtest.Run(t, cmdtest.Options{}, "csr", "inspect", cmdtest.WriteFile(t, dir, "both.csr", bothDER), "-o", "json")
	res.Expect(t, cmdutil.ExitAuth)
	for _, want := range []string{`"signatureValid": false`, `"serverId": ""`, `"problems": [
    "the CSR's signature does not verify`, `"the CSR does not bind a serverId: no urn:imi:server:<serverId> URI SAN: it does not name an IM server"
  ]`} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("json lacks %s:\n%s", want, res.Stdout)
		}
	}
}

func TestInspectBadInput(t *testing.T) {
	dir := t.TempDir()
	_, k := cmdtest.KeyFile(t, dir, "k", "")
	good, _ := pki.CreateCSR(k, pki.CSRTemplate{ServerID: "srv1"})
	full := pki.EncodeCSRPEM(good)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	rsaCSR, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "srv1"}}, rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.csr")
	file := func(name string, data []byte) string { return cmdtest.WriteFile(t, dir, name, data) }
	tests := []struct {
		name   string
		path   string
		code   int
		stderr string
	}{
		{"missing file", missing, cmdutil.ExitFailure, "imictl: cannot read " + missing + ": no such file or directory: check the path\n"},
		{"truncated PEM", file("truncated.csr", full[:len(full)/2]), cmdutil.ExitFailure,
			"imictl: " + dir + "/truncated.csr: expected a certificate signing request, found a truncated or damaged PEM block (its END line or base64 body is broken)\n"},
		{"a key, not a request", file("key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})), cmdutil.ExitFailure,
			"imictl: " + dir + `/key.pem: expected a certificate signing request, found a PEM block of type "PRIVATE KEY"` + "\n"},
		{"an RSA request", file("rsa.csr", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: rsaCSR})), cmdutil.ExitAuth,
			"imictl: expected a CSR for an SM2 key, found a CSR for a RSA key\nthe CSR does not bind a serverId: no urn:imi:server:<serverId> URI SAN: it does not name an IM server (reason: bad_signature)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{}, "csr", "inspect", tt.path)
			res.Expect(t, tt.code)
			if res.Stderr != tt.stderr {
				t.Errorf("stderr = %q\nwant     %q", res.Stderr, tt.stderr)
			}
		})
	}
}

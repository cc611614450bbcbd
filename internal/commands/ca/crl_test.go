package ca_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/ca"
	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/pki"
)

func TestCRLFormats(t *testing.T) {
	s, alpha := world(t, false, mgmttest.Options{})
	serial := pki.SerialHex(alpha.Cert.SerialNumber)
	run(t, s, "ca", "revoke", serial, "--reason", "cessationOfOperation", "--yes").Expect(t, 0)
	roots := s.CA().Root.Cert

	res := run(t, s, "ca", "crl")
	res.Expect(t, 0)
	crl, err := pki.ParseCRL([]byte(res.Stdout))
	if err != nil || !strings.HasPrefix(res.Stdout, "-----BEGIN X509 CRL-----") {
		t.Fatalf("pem: %v\n%s", err, res.Stdout)
	}
	if err := crl.CheckSignatureFrom(roots); err != nil {
		t.Errorf("the CRL does not verify with the root: %v", err)
	}

	out := filepath.Join(t.TempDir(), "crl.der")
	res = run(t, s, "ca", "crl", "-o", "der", "--out", out)
	res.Expect(t, 0)
	if res.Stdout != "" || !strings.Contains(res.Stderr, "Wrote CRL number 2 (1 revoked) to "+out) {
		t.Errorf("der --out: stdout %q, stderr %q", res.Stdout, res.Stderr)
	}
	if der := cmdtest.ReadFile(t, out); string(der) != string(crl.Raw) {
		t.Error("the DER file is not the CRL")
	}

	res = run(t, s, "ca", "crl", "-o", "text")
	res.Expect(t, 0)
	for _, want := range []string{"CRL number:", "Issuer:        CN=mgmttest root", "Revoked:       1", "  " + serial + "   ", "   cessationOfOperation\n"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("text lacks %q:\n%s", want, res.Stdout)
		}
	}
	res = run(t, s, "ca", "crl", "-o", "table")
	res.Expect(t, 0)
	if !strings.HasPrefix(res.Stdout, "SERIAL ") || !strings.Contains(res.Stdout, serial) {
		t.Errorf("table:\n%s", res.Stdout)
	}

	// --regenerate publishes the next number.
	res = run(t, s, "ca", "crl", "--regenerate", "-o", "json")
	res.Expect(t, 0)
	if got := decode[ca.CRLInfo](t, res); got.Number != 3 || len(got.Revoked) != 1 {
		t.Errorf("regenerate: %+v", got)
	}

	// DER is not for terminals.
	tty := s.Opts()
	tty.TTY = true
	res = cmdtest.Run(t, tty, "ca", "crl", "-o", "der")
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "-o der is binary") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

// On a stopped server, operations that need the CA key ask for its
// password, and change nothing without the right one.
func TestEncryptedCAStopped(t *testing.T) {
	s, _ := world(t, true, mgmttest.Options{Encrypted: true})
	tool := s.NewApplicant(t, "test-tool")
	wrong := s.WriteFile(t, "wrong", []byte("not it\n"))
	right := s.WriteFile(t, "right", []byte(mgmttest.CAPassword+"\n"))

	res := run(t, s, "ca", "sign", tool.CSRFile)
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "a password is needed and there is no terminal to ask: pass --password-file FILE") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = run(t, s, "ca", "sign", tool.CSRFile, "--password-file", wrong)
	res.Expect(t, 4)
	if !strings.Contains(res.Stderr, "(reason: bad_password)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	// Listing needs no key, hence no password; and nothing was issued.
	res = run(t, s, "ca", "list", "-o", "json")
	res.Expect(t, 0)
	if got := decode[[]ca.Cert](t, res); len(got) != 1 {
		t.Errorf("%d certificates after refused signing, want 1", len(got))
	}
	// On a terminal it is asked for.
	tty := s.Opts()
	tty.TTY = true
	tty.Prompter = scripted("CA password", mgmttest.CAPassword)
	res = cmdtest.Run(t, tty, "ca", "sign", tool.CSRFile, "-o", "json")
	res.Expect(t, 0)
	run(t, s, "ca", "crl", "--regenerate", "--password-file", right).Expect(t, 0)
}

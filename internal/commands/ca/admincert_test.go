package ca_test

import (
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/ca"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/pki"
)

// adminCSR writes the CSR of administrator name and its key, and returns
// their files.
func adminCSR(t *testing.T, s *mgmttest.Server, name string) (csrFile, keyFile string) {
	t.Helper()
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	der, err := pki.CreateAdminCSR(k, name)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := pki.EncodePrivateKeyPEM(k, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s.WriteFile(t, name+".csr", pki.EncodeCSRPEM(der)), s.WriteFile(t, name+".key", keyPEM)
}

func TestSignAdmin(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s, _ := world(t, m.stop, mgmttest.Options{})
			csr, _ := adminCSR(t, s, "alpha-im") // the registered server's name: still apart
			res := run(t, s, "ca", "sign", csr, "--admin", "alpha-im", "-o", "json")
			res.Expect(t, 0)
			got := decode[ca.Cert](t, res)
			cert, err := pki.ParseCertificatePEM([]byte(got.PEM))
			if err != nil {
				t.Fatal(err)
			}
			if name, err := pki.AdminNameFromCertificate(cert); err != nil || name != "alpha-im" {
				t.Fatalf("the certificate: %q, %v", name, err)
			}
			if got.Admin != "alpha-im" || got.ServerID != "" || got.Status != "valid" || got.Serial != pki.SerialHex(cert.SerialNumber) {
				t.Errorf("signed %+v", got)
			}
			if d := cert.NotAfter.Sub(cert.NotBefore); d < 90*24*time.Hour || d > 91*24*time.Hour {
				t.Errorf("validity %s, want 90 days by default", d)
			}
			// Listed with the others, apart from the server of the same name.
			res = run(t, s, "ca", "list", "--server-id", "alpha-im", "-o", "json")
			res.Expect(t, 0)
			if strings.Contains(serials(decode[[]ca.Cert](t, res)), got.Serial) {
				t.Errorf("the server's list holds the administrator's certificate")
			}
			res = run(t, s, "ca", "list")
			res.Expect(t, 0)
			if !strings.Contains(res.Stdout, got.Serial+"   admin:alpha-im   valid") {
				t.Errorf("table:\n%s", res.Stdout)
			}
		})
	}
}

func TestSignAdminRefusals(t *testing.T) {
	s, alpha := world(t, false, mgmttest.Options{})
	csr, _ := adminCSR(t, s, "alice")
	before := serials(decode[[]ca.Cert](t, run(t, s, "ca", "list", "-o", "json")))
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a server's CSR", []string{"ca", "sign", alpha.CSRFile, "--admin", "alice"}, 1, "names IM server"},
		{"another name", []string{"ca", "sign", csr, "--admin", "bob"}, 1, `not the administrator "bob"`},
		{"a bad name", []string{"ca", "sign", csr, "--admin", "a:b"}, 2, "invalid --admin"},
		{"with --server-id", []string{"ca", "sign", csr, "--admin", "alice", "--server-id", "alice"}, 2, "exclude each other"},
	} {
		res := run(t, s, tc.args...)
		res.Expect(t, tc.code)
		if !strings.Contains(res.Stderr, tc.want) {
			t.Errorf("%s: stderr %q, want %q", tc.name, res.Stderr, tc.want)
		}
	}
	if after := serials(decode[[]ca.Cert](t, run(t, s, "ca", "list", "-o", "json"))); after != before {
		t.Errorf("refusals issued certificates: %s, was %s", after, before)
	}
}

// ca list and ca revoke over the remote admin API, as the administrator.
func TestRemoteCA(t *testing.T) {
	s := mgmttest.Start(t, mgmttest.Options{RemoteAdmin: true})
	csr, keyFile := adminCSR(t, s, "alice")
	res := run(t, s, "ca", "sign", csr, "--admin", "alice", "--out", s.Dir+"/alice.crt")
	res.Expect(t, 0)
	remote := []string{"--admin-url", s.AdminURL(), "--admin-key", keyFile, "--admin-cert", s.Dir + "/alice.crt", "--root", s.Root}
	res = run(t, s, append([]string{"ca", "list", "-o", "json"}, remote...)...)
	res.Expect(t, 0)
	list := decode[[]ca.Cert](t, res)
	if len(list) != 1 || list[0].Admin != "alice" {
		t.Fatalf("remote list: %+v", list)
	}
	// Without the certificate: a usage error, nothing sent.
	res = run(t, s, "ca", "list", "--admin-url", s.AdminURL(), "--admin-key", keyFile, "--root", s.Root)
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "--admin-cert") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	// Revoked, the certificate opens nothing more.
	res = run(t, s, "ca", "revoke", list[0].Serial, "--reason", "keyCompromise", "--yes")
	res.Expect(t, 0)
	res = run(t, s, append([]string{"ca", "list"}, remote...)...)
	res.Expect(t, 4)
	if !strings.Contains(res.Stderr, "cert_revoked") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

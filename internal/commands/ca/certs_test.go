package ca_test

import (
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/ca"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/pki"
)

// sign, list, export and revoke, on a running and on a stopped server.
func TestCertificateLifecycle(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s, alpha := world(t, m.stop, mgmttest.Options{})
			tool := s.NewApplicant(t, "test-tool")

			res := run(t, s, "ca", "sign", tool.CSRFile, "--server-id", "test-tool", "--validity", "30d", "--reviewer", "admin:tests", "-o", "json")
			res.Expect(t, 0)
			signed := decode[ca.Cert](t, res)
			cert, err := pki.ParseCertificatePEM([]byte(signed.PEM))
			if err != nil {
				t.Fatal(err)
			}
			if signed.ServerID != "test-tool" || signed.Status != "valid" || signed.Serial != pki.SerialHex(cert.SerialNumber) ||
				!tool.Key.PublicKey.Equal(cert.PublicKey) {
				t.Errorf("signed %+v", signed)
			}
			if d := cert.NotAfter.Sub(cert.NotBefore); d < 30*24*60*60e9 || d > 31*24*60*60e9 {
				t.Errorf("validity %s, want about 30 days", d)
			}

			// ca list shows what the CA issued, registrations included.
			res = run(t, s, "ca", "list", "-o", "json")
			res.Expect(t, 0)
			if got := serials(decode[[]ca.Cert](t, res)); got != pki.SerialHex(alpha.Cert.SerialNumber)+" "+signed.Serial {
				t.Errorf("list: %s", got)
			}
			res = run(t, s, "ca", "list", "--server-id", "test-tool", "-o", "json")
			res.Expect(t, 0)
			if got := serials(decode[[]ca.Cert](t, res)); got != signed.Serial {
				t.Errorf("list --server-id: %s", got)
			}
			res = run(t, s, "ca", "list", "--expiring-within", "60d", "-o", "json")
			res.Expect(t, 0)
			if got := serials(decode[[]ca.Cert](t, res)); got != signed.Serial {
				t.Errorf("list --expiring-within 60d: %s", got)
			}
			res = run(t, s, "ca", "list")
			res.Expect(t, 0)
			if !strings.HasPrefix(res.Stdout, "SERIAL ") || !strings.Contains(res.Stdout, signed.Serial+"   test-tool   valid   ") {
				t.Errorf("table:\n%s", res.Stdout)
			}

			res = run(t, s, "ca", "export", strings.ToUpper(signed.Serial))
			res.Expect(t, 0)
			if res.Stdout != signed.PEM {
				t.Errorf("export: %q", res.Stdout)
			}

			// Revocation needs --yes without a terminal, and changes nothing without it.
			crl0 := crlNumber(t, s)
			res = run(t, s, "ca", "revoke", signed.Serial, "--reason", "keyCompromise")
			res.Expect(t, 2)
			if !strings.Contains(res.Stderr, "pass --yes to proceed") {
				t.Errorf("stderr: %s", res.Stderr)
			}
			if st := status(t, s, signed.Serial); st != "valid" || crlNumber(t, s) != crl0 {
				t.Errorf("after a refused revoke: %s, CRL %d", st, crlNumber(t, s))
			}
			res = run(t, s, "ca", "revoke", signed.Serial, "--reason", "keyCompromise", "--yes", "-o", "json")
			res.Expect(t, 0)
			rev := decode[ca.RevokeResult](t, res)
			if rev.Status != "revoked" || rev.RevocationReason != "keyCompromise" || rev.CRLNumber != crl0+1 {
				t.Errorf("revoke: %+v (CRL before %d)", rev, crl0)
			}
			res = run(t, s, "ca", "crl", "-o", "json")
			res.Expect(t, 0)
			crl := decode[ca.CRLInfo](t, res)
			if len(crl.Revoked) != 1 || crl.Revoked[0].Serial != signed.Serial || crl.Revoked[0].Reason != "keyCompromise" || crl.Number != crl0+1 {
				t.Errorf("crl: %+v", crl)
			}
			res = run(t, s, "ca", "list", "--status", "revoked", "-o", "json")
			res.Expect(t, 0)
			if got := serials(decode[[]ca.Cert](t, res)); got != signed.Serial {
				t.Errorf("list --status revoked: %s", got)
			}
		})
	}
}

func TestCertificateBadInput(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s, alpha := world(t, m.stop, mgmttest.Options{})
			other := s.NewApplicant(t, "other-tool")
			brokenFile := s.WriteFile(t, "broken.csr", tamper(t, other.CSR))
			serial := pki.SerialHex(alpha.Cert.SerialNumber)
			tests := []struct {
				name string
				args []string
				code int
				want string
			}{
				{"csr for another serverId", []string{"ca", "sign", other.CSRFile, "--server-id", "test-tool"}, 1, `names serverId "other-tool", not "test-tool": pass the CSR made for "test-tool"`},
				{"csr with a broken signature", []string{"ca", "sign", brokenFile}, 1, "(reason: invalid_csr)"},
				{"not a csr", []string{"ca", "sign", s.Root}, 1, "(reason: invalid_csr)"},
				{"bad validity", []string{"ca", "sign", other.CSRFile, "--validity", "-3d"}, 2, `invalid --validity "-3d"`},
				{"revoke unknown serial", []string{"ca", "revoke", "abcdef", "--reason", "keyCompromise", "--yes"}, 7, `no certificate "abcdef"`},
				{"revoke malformed serial", []string{"ca", "revoke", "xyz", "--reason", "keyCompromise", "--yes"}, 2, `serial "xyz" is not a positive hex number`},
				{"revoke bad reason", []string{"ca", "revoke", serial, "--reason", "boredom", "--yes"}, 2, `invalid --reason "boredom": want one of unspecified, keyCompromise`},
				{"revoke without reason", []string{"ca", "revoke", serial, "--yes"}, 2, `required flag(s) "reason" not set`},
				{"export unknown", []string{"ca", "export", "abcdef"}, 7, `no certificate "abcdef"`},
				{"list bad status", []string{"ca", "list", "--status", "good"}, 2, `invalid --status "good"`},
			}
			crl0 := crlNumber(t, s)
			for _, tt := range tests {
				res := run(t, s, tt.args...)
				if res.Code != tt.code || !strings.Contains(res.Stderr, tt.want) {
					t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, res.Code, res.Stderr, tt.code, tt.want)
				}
			}
			// Nothing changed: one certificate, valid, and the same CRL.
			res := run(t, s, "ca", "list", "-o", "json")
			res.Expect(t, 0)
			if got := decode[[]ca.Cert](t, res); len(got) != 1 || got[0].Status != "valid" || crlNumber(t, s) != crl0 {
				t.Errorf("after the refusals: %+v, CRL %d (was %d)", got, crlNumber(t, s), crl0)
			}
			// Revoking twice is refused with the first revocation's details.
			run(t, s, "ca", "revoke", serial, "--reason", "superseded", "--yes").Expect(t, 0)
			res = run(t, s, "ca", "revoke", serial, "--reason", "keyCompromise", "--yes")
			res.Expect(t, 1)
			if !strings.Contains(res.Stderr, "was already revoked on") || !strings.Contains(res.Stderr, "(superseded); nothing was changed (reason: already_revoked)") {
				t.Errorf("stderr: %s", res.Stderr)
			}
		})
	}
}

func serials(certs []ca.Cert) string {
	var s []string
	for _, c := range certs {
		s = append(s, c.Serial)
	}
	return strings.Join(s, " ")
}

func status(t *testing.T, s *mgmttest.Server, serial string) string {
	t.Helper()
	res := run(t, s, "ca", "export", serial, "-o", "json")
	res.Expect(t, 0)
	return string(decode[ca.Cert](t, res).Status)
}

func crlNumber(t *testing.T, s *mgmttest.Server) uint64 {
	t.Helper()
	res := run(t, s, "ca", "crl", "-o", "json")
	res.Expect(t, 0)
	return decode[ca.CRLInfo](t, res).Number
}

// tamper flips a bit of the CSR's signature, keeping it parseable.
func tamper(t *testing.T, csrPEM []byte) []byte {
	t.Helper()
	csr, err := pki.ParseCSR(csrPEM)
	if err != nil {
		t.Fatal(err)
	}
	der := append([]byte(nil), csr.Raw...)
	der[len(der)-3] ^= 1
	return pki.EncodeCSRPEM(der)
}

package register_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/register"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

func TestModify(t *testing.T) {
	w := newWorld(t)
	res := cmdtest.Run(t, w.asAlpha(), "register", "modify", "--address", "https://im2.alpha.example.com", "--area", "", "--type", "IM", "-o", "json")
	res.Expect(t, 0)
	if res.Stdout != "{\n  \"requestId\": \"req-2\"\n}\n" {
		t.Errorf("stdout %q", res.Stdout)
	}
	apps := w.Applications(t)
	a := apps[len(apps)-1]
	if a.Kind != store.KindModify || a.ServerID != "alpha-im" || strings.Join(a.Changed, ",") != "serverAddress,serverType,area" || len(a.CSR) != 0 {
		t.Errorf("application: %+v", a)
	}
	w.approve(t, "req-2")
	if s := w.server(t, "alpha-im"); s.ServerAddress != "https://im2.alpha.example.com" || s.ServerType != "IM" || s.ServerName != "alpha-im IM" {
		t.Errorf("server: %+v", s)
	}
}

// A CSR for a new key rotates the certificate on approval; the new one is
// fetched with status, signed with the new key.
func TestModifyRotation(t *testing.T) {
	w := newWorld(t)
	next := w.NextKey(t, "alpha-im", "alpha-next")
	res := cmdtest.Run(t, w.asAlpha(), "register", "modify", "--csr", next.CSRFile, "-o", "json")
	res.Expect(t, 0)
	id := decode[register.SubmitResult](t, res).RequestID
	app := w.approve(t, id)
	out := filepath.Join(t.TempDir(), "new.crt")
	// Once approved the old certificate no longer counts: sign with the new key.
	res = cmdtest.Run(t, w.asAlpha(), "register", "status", id)
	res.Expect(t, 4)
	res = cmdtest.Run(t, w.asApplicant(next.KeyFile, "alpha-im"), "register", "status", id, "--cert-out", out, "-o", "json")
	res.Expect(t, 0)
	st := decode[register.StatusResult](t, res)
	if st.Kind != "modify" || st.Certificate == nil || st.Certificate.Serial != app.ResultSerial {
		t.Fatalf("status: %+v", st)
	}
	cert, err := pki.ParseCertificatePEM([]byte(st.Certificate.PEM))
	if err != nil || !next.Key.PublicKey.Equal(cert.PublicKey) {
		t.Errorf("the new certificate is not for the new key: %v", err)
	}
	old, err := w.Service().Certificate(bg, pki.SerialHex(w.alpha.Cert.SerialNumber))
	if err != nil || old.Status != store.CertRevoked || old.RevocationReason != store.ReasonSuperseded {
		t.Errorf("the old certificate: %+v, %v", old, err)
	}
}

func TestModifyBadInput(t *testing.T) {
	w := newWorld(t)
	other := w.NewApplicant(t, "other-im")
	noCert := w.opts(identity.EnvKey, w.alpha.KeyFile, identity.EnvServerID, "alpha-im")
	tests := []struct {
		name string
		opts cmdtest.Options
		args []string
		code int
		want string
	}{
		{"nothing to change", w.asAlpha(), nil, 2, "nothing to change: pass the fields to change (--name, --address, ...) or --csr FILE"},
		{"bad e-mail", w.asAlpha(), []string{"--contact-email", "nobody"}, 2, `invalid --contact-email: want a bare address`},
		{"clear a required field", w.asAlpha(), []string{"--name", ""}, 2, "invalid --name: required"},
		{"csr for another serverId", w.asAlpha(), []string{"--csr", other.CSRFile}, 1, `names serverId "other-im", not "alpha-im": pass the CSR made for "alpha-im"`},
		{"without a certificate", noCert, []string{"--name", "New"}, 2, "missing the certificate of the key to sign with: pass --cert FILE"},
	}
	for _, tt := range tests {
		res := cmdtest.Run(t, tt.opts, append([]string{"register", "modify"}, tt.args...)...)
		if res.Code != tt.code || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, res.Code, res.Stderr, tt.code, tt.want)
		}
	}
	if n := len(w.Applications(t)); n != 1 {
		t.Errorf("%d applications, want 1", n)
	}
	// One pending application per server.
	cmdtest.Run(t, w.asAlpha(), "register", "modify", "--name", "Alpha 2").Expect(t, 0)
	res := cmdtest.Run(t, w.asAlpha(), "register", "modify", "--name", "Alpha 3")
	res.Expect(t, 1)
	if !strings.Contains(res.Stderr, "(reason: pending_application)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

func TestCancel(t *testing.T) {
	w := newWorld(t)
	res := cmdtest.Run(t, w.asAlpha(), "register", "cancel", "--reason", "closing down")
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "Apply to cancel alpha-im for good? Once approved its certificate is revoked and the serverId can never be registered again: confirmation needed and there is no terminal to ask; pass --yes") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = cmdtest.Run(t, w.asAlpha(), "register", "cancel", "--yes")
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "--reason is required (no terminal to ask for it)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	if n := len(w.Applications(t)); n != 1 {
		t.Fatalf("%d applications after refused cancellations, want 1", n)
	}
	res = cmdtest.Run(t, w.asAlpha(), "register", "cancel", "--reason", "closing down", "--yes", "-o", "json")
	res.Expect(t, 0)
	id := decode[register.SubmitResult](t, res).RequestID
	w.approve(t, id)
	if s := w.server(t, "alpha-im"); s.Status != store.StatusCancelled {
		t.Errorf("alpha-im: %+v", s)
	}
	// Its certificate is revoked, but it may still see the decision.
	res = cmdtest.Run(t, w.asAlpha(), "register", "status", id, "-o", "json")
	res.Expect(t, 0)
	if st := decode[register.StatusResult](t, res); st.Kind != "cancel" || st.Status != "approved" || st.Certificate != nil {
		t.Errorf("status: %+v", st)
	}
}

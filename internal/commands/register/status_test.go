package register_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/register"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// asApplicant are options signing with a's CSR key as a.ID.
func (w *world) asApplicant(keyFile, id string) cmdtest.Options {
	return w.opts(identity.EnvKey, keyFile, identity.EnvServerID, id)
}

func TestStatus(t *testing.T) {
	w := newWorld(t)
	beta := w.NewApplicant(t, "beta-im")
	req := w.Submit(t, beta)
	o := w.asApplicant(beta.KeyFile, "beta-im")

	res := cmdtest.Run(t, o, "register", "status", req, "-o", "json")
	res.Expect(t, 5)
	if res.Stdout != "{\n  \"requestId\": \"req-2\",\n  \"serverId\": \"beta-im\",\n  \"kind\": \"submit\",\n  \"status\": \"pending\"\n}\n" {
		t.Errorf("pending: %s", res.Stdout)
	}
	if !strings.Contains(res.Stderr, "request req-2 waits for an administrator's decision: run this again later, or pass --wait (reason: pending)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = cmdtest.Run(t, o, "register", "status", req, "--wait", "--timeout", "1s", "--interval", "50ms") // time for an answer on a busy machine
	res.Expect(t, 5)
	if !strings.Contains(res.Stderr, "still undecided after 1s") {
		t.Errorf("stderr: %s", res.Stderr)
	}

	approved := w.approve(t, req)
	out := filepath.Join(t.TempDir(), "beta.crt")
	res = cmdtest.Run(t, o, "register", "status", req, "--cert-out", out, "-o", "json")
	res.Expect(t, 0)
	st := decode[register.StatusResult](t, res)
	if st.Status != "approved" || st.Certificate == nil || st.Certificate.Serial != approved.ResultSerial || st.Certificate.File != out {
		t.Fatalf("approved: %+v", st)
	}
	data, err := os.ReadFile(out)
	if err != nil || string(data) != st.Certificate.PEM {
		t.Fatalf("%s: %v", out, err)
	}
	cert, _ := pki.ParseCertificatePEM(data)
	roots := smx509.NewCertPool()
	roots.AddCert(w.CA().Root.Cert)
	if err := pki.VerifyCertificate(cert, pki.VerifyOptions{Roots: roots, ServerID: "beta-im"}); err != nil || !beta.Key.PublicKey.Equal(cert.PublicKey) {
		t.Errorf("the written certificate: %v", err)
	}
	// An existing file is not overwritten, and that is said before any call.
	res = cmdtest.Run(t, o, "register", "status", req, "--cert-out", out)
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "already exists: pass --force to overwrite it") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	// --wait returns at once once decided.
	cmdtest.Run(t, o, "register", "status", req, "--wait", "--interval", "1h").Expect(t, 0)
}

func TestStatusRejected(t *testing.T) {
	w := newWorld(t)
	beta := w.NewApplicant(t, "beta-im")
	req := w.Submit(t, beta)
	if _, err := w.Service().Reject(bg, req, "admin:test", "the contact e-mail bounces"); err != nil {
		t.Fatal(err)
	}
	res := cmdtest.Run(t, w.asApplicant(beta.KeyFile, "beta-im"), "register", "status", req, "--cert-out", filepath.Join(t.TempDir(), "x.crt"), "-o", "json")
	res.Expect(t, 1)
	if st := decode[register.StatusResult](t, res); st.Status != "rejected" || st.StatusReason != "the contact e-mail bounces" || st.Certificate != nil {
		t.Errorf("rejected: %+v", st)
	}
	if !strings.Contains(res.Stderr, "request req-2 was rejected: the contact e-mail bounces (reason: rejected)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

// Only the applicant may follow its application.
func TestStatusBadInput(t *testing.T) {
	w := newWorld(t)
	beta := w.NewApplicant(t, "beta-im")
	gamma := w.NewApplicant(t, "gamma-im")
	req := w.Submit(t, beta)
	tests := []struct {
		name string
		opts cmdtest.Options
		args []string
		code int
		want string
	}{
		{"another key", w.asApplicant(gamma.KeyFile, "beta-im"), []string{req}, 4, `the request signature does not verify with the key of the application of "beta-im"`},
		{"another applicant", w.asApplicant(gamma.KeyFile, "gamma-im"), []string{req}, 4, "(reason: signature_invalid)"},
		{"unknown request", w.asApplicant(beta.KeyFile, "beta-im"), []string{"req-99"}, 7, "(reason: not_found)"},
		{"no key", w.opts(identity.EnvServerID, "beta-im"), []string{req}, 2, "missing the SM2 private key to sign with: pass --key FILE"},
		{"no root", cmdtest.Options{Env: map[string]string{identity.EnvMgmt: w.URL(), identity.EnvKey: beta.KeyFile, identity.EnvServerID: "beta-im", identity.ConfigEnv: filepath.Join(t.TempDir(), "none")}, Now: time.Now()},
			[]string{req}, 2, "missing the interconnection root certificate"},
		{"no server id", w.opts(identity.EnvKey, beta.KeyFile), []string{req}, 2, "missing the serverId to sign as: pass --server-id ID"},
		{"unreachable", w.opts(identity.EnvKey, beta.KeyFile, identity.EnvServerID, "beta-im", identity.EnvMgmt, "http://127.0.0.1:1"), []string{req}, 6, "check the URL (--mgmt) and that the server is running"},
		{"bad interval", w.asApplicant(beta.KeyFile, "beta-im"), []string{req, "--wait", "--interval", "0s"}, 2, "--timeout and --interval must be positive"},
	}
	for _, tt := range tests {
		res := cmdtest.Run(t, tt.opts, append([]string{"register", "status"}, tt.args...)...)
		if res.Code != tt.code || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, res.Code, res.Stderr, tt.code, tt.want)
		}
	}
}

// submit --wait follows the application until an administrator decides.
func TestSubmitWait(t *testing.T) {
	w := newWorld(t)
	beta := w.NewApplicant(t, "beta-im")
	done := make(chan struct{})
	go func() { // the administrator, approving once the application is in
		defer close(done)
		for range 500 {
			apps, err := w.Service().Requests(bg, store.ApplicationFilter{ServerID: "beta-im", State: store.StatePending})
			if err == nil && len(apps) == 1 {
				w.Service().Approve(bg, apps[0].ID, "admin:test", "")
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	out := filepath.Join(t.TempDir(), "beta.crt")
	res := cmdtest.Run(t, w.opts(), append(submitArgs(beta), "--key", beta.KeyFile, "--wait", "--interval", "20ms", "--timeout", "1m", "--cert-out", out, "-o", "json")...)
	<-done
	res.Expect(t, 0)
	if st := decode[register.StatusResult](t, res); st.RequestID != "req-2" || st.Status != "approved" || st.Certificate == nil || st.Certificate.File != out {
		t.Errorf("result: %+v", st)
	}
	if !strings.Contains(res.Stderr, "Submitted as req-2; waiting for an administrator's decision") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

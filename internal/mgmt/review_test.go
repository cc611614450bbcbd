package mgmt

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

func TestApproveNewIssuesCertificate(t *testing.T) {
	e := newEnv(t, nil)
	e.register(t, "peer") // a normal server, to be notified
	key := newKey(t)
	a, err := e.svc.Submit(bg, submitReq(t, key, "alpha"))
	if err != nil {
		t.Fatal(err)
	}
	before := e.snapshot(t)
	got, err := e.svc.Approve(bg, a.ID, "admin:root", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.StateApproved || got.Reviewer != "admin:root" || got.ResultSerial == "" {
		t.Fatalf("approved %+v", got)
	}
	if maps.Equal(before, e.snapshot(t)) {
		t.Fatal("snapshot does not see changes")
	}
	srv, err := e.svc.Server(bg, "alpha")
	if err != nil || srv.Status != store.StatusNormal || srv.CertSerial != got.ResultSerial || srv.ServerAddress != "https://alpha.example.com" {
		t.Fatalf("server %+v, %v", srv, err)
	}
	der, err := e.svc.ServerCert(bg, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(publicKey(key)) {
		t.Fatal("the certificate is not for the CSR's key")
	}
	if err := pki.VerifyCertificate(cert, pki.VerifyOptions{Roots: e.roots, ServerID: "alpha", Now: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	e.expand(t)
	out, _ := e.svc.Notifications(bg, store.OutboxFilter{Destination: "peer"})
	if len(out) != 1 || out[0].Subject != "alpha" {
		t.Fatalf("notifications %+v", out)
	}
	// The management server's own certificate is served too (M2).
	self, err := e.svc.ServerCert(bg, ca.DefaultServerID)
	if err != nil || string(self) != string(e.ca.Self.Raw) {
		t.Fatalf("center-im: %v", err)
	}
	if _, err := e.svc.ServerCert(bg, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown server: %v", err)
	}
}

func TestDecideRefused(t *testing.T) {
	e := newEnv(t, nil)
	e.register(t, "alpha") // req-1, decided
	tests := []struct {
		name   string
		call   func() error
		want   error
		reason string
		msg    string
	}{
		{"approve unknown", func() error { _, err := e.svc.Approve(bg, "req-42", "admin:x", ""); return err }, store.ErrNotFound, "not_found", `no application "req-42"`},
		{"approve malformed id", func() error { _, err := e.svc.Approve(bg, "42", "admin:x", ""); return err }, store.ErrNotFound, "not_found", `no application "42"`},
		{"approve decided", func() error { _, err := e.svc.Approve(bg, "req-1", "admin:x", ""); return err }, store.ErrAlreadyDecided, "already_decided", "already approved by admin:test"},
		{"reject decided", func() error { _, err := e.svc.Reject(bg, "req-1", "admin:x", "no"); return err }, store.ErrAlreadyDecided, "already_decided", "already approved"},
		{"reject unknown", func() error { _, err := e.svc.Reject(bg, "req-42", "admin:x", "no"); return err }, store.ErrNotFound, "not_found", "req-42"},
		{"suspend unknown", func() error { _, err := e.svc.Suspend(bg, "nobody", "admin:x"); return err }, store.ErrNotFound, "not_found", "nobody"},
		{"resume a normal server", func() error { _, err := e.svc.Resume(bg, "alpha", "admin:x"); return err }, store.ErrStatusConflict, "status_conflict", "alpha"},
		{"revoke unknown serial", func() error { _, err := e.svc.Revoke(bg, "abcdef", 0, "admin:x"); return err }, store.ErrNotFound, "not_found", "abcdef"},
		{"revoke malformed serial", func() error { _, err := e.svc.Revoke(bg, "xyz", 0, "admin:x"); return err }, store.ErrInvalid, "invalid_request", "serial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot(t)
			err := tt.call()
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, want %v containing %q", err, tt.want, tt.msg)
			}
			if r, _ := ReasonOf(err); r != tt.reason {
				t.Fatalf("reason %q, want %q", r, tt.reason)
			}
			e.assertUnchanged(t, before)
		})
	}
}

func TestConcurrentApprovalsOneWins(t *testing.T) {
	e := newEnv(t, nil)
	a, err := e.svc.Submit(bg, submitReq(t, newKey(t), "alpha"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = e.svc.Approve(bg, a.ID, fmt.Sprintf("admin:%d", i), "") })
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrAlreadyDecided):
			t.Fatalf("a losing approval failed with %v", err)
		}
	}
	certs, _ := e.svc.Certificates(bg, store.CertFilter{})
	if wins != 1 || len(certs) != 1 {
		t.Fatalf("%d approvals won, %d certificates stored", wins, len(certs))
	}
}

func TestCAKeyLoadedOnlyWhenNeeded(t *testing.T) {
	var loads int
	var authority *ca.CA
	e := newEnv(t, func(o *Options) {
		authority, o.CA = o.CA, nil
		o.LoadCA = func() (*ca.CA, error) {
			loads++
			if loads == 1 {
				return nil, pki.ErrBadPassword
			}
			return authority, nil
		}
	})
	a, _ := e.svc.Submit(bg, submitReq(t, newKey(t), "alpha"))
	b, _ := e.svc.Submit(bg, submitReq(t, newKey(t), "beta"))
	if _, err := e.svc.Reject(bg, b.ID, "admin:x", "no"); err != nil || loads != 0 {
		t.Fatalf("reject: %v, %d loads", err, loads)
	}
	before := e.snapshot(t)
	_, err := e.svc.Approve(bg, a.ID, "admin:x", "")
	if !errors.Is(err, ErrCAUnavailable) || !errors.Is(err, pki.ErrBadPassword) || !strings.Contains(err.Error(), "give the CA password") {
		t.Fatalf("approve with a wrong password: %v", err)
	}
	if r, status := ReasonOf(err); r != "ca_unavailable" || status != 503 {
		t.Fatalf("reason %s %d", r, status)
	}
	e.assertUnchanged(t, before)
	if _, err := e.svc.Approve(bg, a.ID, "admin:x", ""); err != nil || loads != 2 {
		t.Fatalf("second try: %v, %d loads", err, loads)
	}
	if _, err := e.svc.RegenerateCRL(bg, "admin:x"); err != nil || loads != 2 {
		t.Fatalf("the loaded CA is kept: %v, %d loads", err, loads)
	}
}

func TestNoCA(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.CA = nil })
	a, _ := e.svc.Submit(bg, submitReq(t, newKey(t), "alpha"))
	before := e.snapshot(t)
	for name, call := range map[string]func() error{
		"approve": func() error { _, err := e.svc.Approve(bg, a.ID, "admin:x", ""); return err },
		"crl":     func() error { _, err := e.svc.RegenerateCRL(bg, "admin:x"); return err },
		"sign a CSR": func() error {
			_, err := e.svc.SignCSR(bg, []byte(csrPEM(t, newKey(t), "gamma")), 0, "admin:x")
			return err
		},
	} {
		if err := call(); !errors.Is(err, ErrCAUnavailable) {
			t.Errorf("%s: %v", name, err)
		}
	}
	e.assertUnchanged(t, before)
}

func revokedSerials(t *testing.T, e *env) map[string]int {
	t.Helper()
	c, err := e.svc.CRL(bg)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := pki.ParseCRL(c.DER)
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(e.ca.Root.Cert); err != nil {
		t.Fatalf("CRL signature: %v", err)
	}
	out := map[string]int{}
	for _, r := range crl.RevokedCertificateEntries {
		out[pki.SerialHex(r.SerialNumber)] = r.ReasonCode
	}
	return out
}

func TestModifyRotatesAndCancelRetires(t *testing.T) {
	e := newEnv(t, nil)
	e.register(t, "alpha")
	e.register(t, "peer")
	old, _ := e.svc.Server(bg, "alpha")
	addr := "https://im2.alpha.example.com"
	m, err := e.svc.Modify(bg, "alpha", api.ModifyRequest{ServerID: "alpha", Changes: api.ServerChanges{ServerAddress: &addr}, CSR: csrPEM(t, newKey(t), "alpha")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(bg, m.ID, "admin:x", ""); err != nil {
		t.Fatal(err)
	}
	srv, _ := e.svc.Server(bg, "alpha")
	if srv.ServerAddress != addr || srv.CertSerial == old.CertSerial || srv.ServerName != old.ServerName {
		t.Fatalf("after modify %+v", srv)
	}
	if r := revokedSerials(t, e); len(r) != 1 || r[old.CertSerial] != store.ReasonSuperseded {
		t.Fatalf("CRL after rotation: %v", r)
	}

	c, err := e.svc.Cancel(bg, "alpha", api.CancelRequest{ServerID: "alpha", Reason: "closing"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(bg, c.ID, "admin:x", ""); err != nil {
		t.Fatal(err)
	}
	srv, _ = e.svc.Server(bg, "alpha")
	if srv.Status != store.StatusCancelled {
		t.Fatalf("status %d", srv.Status)
	}
	if r := revokedSerials(t, e); len(r) != 2 || r[srv.CertSerial] != store.ReasonCessationOfOperation {
		t.Fatalf("CRL after cancel: %v", r)
	}
	if _, err := e.svc.Submit(bg, submitReq(t, newKey(t), "alpha")); !errors.Is(err, store.ErrServerIDRetired) {
		t.Fatalf("resubmit: %v", err)
	}
	dir, err := e.svc.Directory(bg, api.ServersQuery{})
	if err != nil || len(dir.Servers) != 2 || dir.Servers[0].ServerID != "alpha" || dir.Servers[0].Status != 2 {
		t.Fatalf("directory %+v, %v", dir, err)
	}
}

func TestSuspendResume(t *testing.T) {
	e := newEnv(t, nil)
	e.register(t, "alpha")
	e.register(t, "peer")
	var changes int
	e.svc.opts.Changed = func() { changes++ }
	srv, err := e.svc.Suspend(bg, "alpha", "admin:x")
	if err != nil || srv.Status != store.StatusSuspended || changes != 1 {
		t.Fatalf("suspend %+v %v %d", srv, err, changes)
	}
	if _, err := e.svc.Suspend(bg, "alpha", "admin:x"); !errors.Is(err, store.ErrStatusConflict) {
		t.Fatalf("suspend twice: %v", err)
	}
	// A notification for alpha that failed while it was suspended is made
	// due again on resume.
	if err := e.st.MarkFailed(pendingFor(t, e, "alpha"), e.clock.Now().Add(time.Hour), "down"); err != nil {
		t.Fatal(err)
	}
	srv, err = e.svc.Resume(bg, "alpha", "admin:x")
	if err != nil || srv.Status != store.StatusNormal || changes != 2 {
		t.Fatalf("resume %+v %v %d", srv, err, changes)
	}
	due, _ := e.st.DueOutbox(e.clock.Now(), 10)
	found := false
	for _, d := range due {
		found = found || d.Destination == "alpha"
	}
	if !found {
		t.Fatalf("alpha's notification is not due after resume: %+v", due)
	}
}

// pendingFor is the id of a pending notification for dest.
func pendingFor(t *testing.T, e *env, dest string) uint64 {
	t.Helper()
	out, err := e.svc.Notifications(bg, store.OutboxFilter{Destination: dest, State: store.OutboxPending})
	if err != nil || len(out) == 0 {
		t.Fatalf("no pending notification for %s: %v", dest, err)
	}
	return out[0].ID
}

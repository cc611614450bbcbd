package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

var bg = context.Background()

// running is a management database held open, with the admin API served
// on its socket, as a running server has them.
type running struct {
	dataDir string
	svc     *mgmt.Service
}

func newDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := ca.Init(mgmt.CADir(dir), ca.InitOptions{CommonName: "test root", Now: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func startAdmin(t *testing.T, dataDir string) *running {
	t.Helper()
	svc, closer, err := mgmt.OpenLocal(dataDir, mgmt.LocalOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", mgmt.SocketPath(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: server.NewAdminHandler(svc, "center-im")}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		<-done
		closer.Close()
	})
	return &running{dataDir: dataDir, svc: svc}
}

func submit(t *testing.T, svc *mgmt.Service, id string) store.Application {
	t.Helper()
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	der, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: id})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Submit(bg, api.SubmitRequest{
		ServerID: id, ServerName: id, ServerAddress: "https://" + id + ".example.com",
		ContactName: "ops", ContactEmail: "ops@example.com", ContactMobile: "13500001111",
		OwnerID: "owner", CSR: string(pki.EncodeCSRPEM(der)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAdminOverSocket(t *testing.T) {
	r := startAdmin(t, newDataDir(t))
	a := NewAdmin(mgmt.SocketPath(r.dataDir))
	defer a.Close()
	if h, err := a.Health(bg); err != nil || h.ServerID != "center-im" || h.PID != os.Getpid() {
		t.Fatalf("health %+v, %v", h, err)
	}
	alpha := submit(t, r.svc, "alpha")
	beta := submit(t, r.svc, "beta")

	list, err := a.Requests(bg, store.ApplicationFilter{State: store.StatePending})
	if err != nil || len(list) != 2 || list[0].ID != alpha.ID || string(list[0].CSR) != string(alpha.CSR) {
		t.Fatalf("requests %+v, %v", list, err)
	}
	if list, err := a.Requests(bg, store.ApplicationFilter{ServerID: "nobody"}); err != nil || list == nil || len(list) != 0 {
		t.Fatalf("empty list %#v, %v", list, err)
	}
	got, err := a.Approve(bg, alpha.ID, "admin:tester", "ok")
	if err != nil || got.State != store.StateApproved || got.Reviewer != "admin:tester" || got.ResultSerial == "" {
		t.Fatalf("approve %+v, %v", got, err)
	}
	if got, err := a.Reject(bg, beta.ID, "admin:tester", "incomplete"); err != nil || got.State != store.StateRejected {
		t.Fatalf("reject %+v, %v", got, err)
	}
	if srv, err := a.Suspend(bg, "alpha", "admin:tester"); err != nil || srv.Status != store.StatusSuspended {
		t.Fatalf("suspend %+v, %v", srv, err)
	}
	if srv, err := a.Resume(bg, "alpha", "admin:tester"); err != nil || srv.Status != store.StatusNormal {
		t.Fatalf("resume %+v, %v", srv, err)
	}
	servers, err := a.Servers(bg)
	if err != nil || len(servers) != 1 || servers[0].CertSerial != got.ResultSerial {
		t.Fatalf("servers %+v, %v", servers, err)
	}
	certs, err := a.Certificates(bg, store.CertFilter{ServerID: "alpha", ExpiringBefore: time.Now().Add(2 * pki.DefaultServerCertValidity)})
	if err != nil || len(certs) != 1 {
		t.Fatalf("certificates %+v, %v", certs, err)
	}
	cert, err := a.Certificate(bg, certs[0].Serial)
	if err != nil || string(cert.DER) != string(certs[0].DER) {
		t.Fatalf("certificate: %v", err)
	}
	key, _ := pki.GenerateKey()
	csr, _ := pki.CreateCSR(key, pki.CSRTemplate{ServerID: "gamma"})
	signed, err := a.SignCSR(bg, pki.EncodeCSRPEM(csr), 48*time.Hour, "admin:tester")
	if err != nil || signed.ServerID != "gamma" || signed.NotAfter.Sub(signed.NotBefore) != 48*time.Hour+pki.Backdate {
		t.Fatalf("sign %+v, %v", signed, err)
	}
	if c, err := a.Revoke(bg, signed.Serial, 1, "admin:tester"); err != nil || c.Status != store.CertRevoked {
		t.Fatalf("revoke %+v, %v", c, err)
	}
	crl, err := a.CRL(bg)
	if err != nil || crl.Number != 1 {
		t.Fatalf("crl %+v, %v", crl, err)
	}
	if crl, err := a.RegenerateCRL(bg, "admin:tester"); err != nil || crl.Number != 2 {
		t.Fatalf("regenerate %+v, %v", crl, err)
	}
	if out, err := a.Notifications(bg, store.OutboxFilter{Limit: 10}); err != nil || out == nil {
		t.Fatalf("notifications %+v, %v", out, err)
	}
	if n, err := a.RetryNotifications(bg, "", "admin:tester"); err != nil || n != 0 {
		t.Fatalf("retry %d, %v", n, err)
	}
	audit, err := a.Audit(bg, store.AuditFilter{Subject: "alpha", Limit: 100})
	if err != nil || len(audit) == 0 {
		t.Fatalf("audit %+v, %v", audit, err)
	}
}

// Refusals keep their kind across the socket.
func TestAdminErrorsOverSocket(t *testing.T) {
	r := startAdmin(t, newDataDir(t))
	a := NewAdmin(mgmt.SocketPath(r.dataDir))
	defer a.Close()
	alpha := submit(t, r.svc, "alpha")
	if _, err := a.Approve(bg, alpha.ID, "admin:one", ""); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		call   func() error
		want   error
		status int
		msg    string
	}{
		{"approve decided", func() error { _, err := a.Approve(bg, alpha.ID, "admin:two", ""); return err }, store.ErrAlreadyDecided, 409, "already approved by admin:one"},
		{"unknown request", func() error { _, err := a.Request(bg, "req-77"); return err }, store.ErrNotFound, 404, `no application "req-77"`},
		{"resume a normal server", func() error { _, err := a.Resume(bg, "alpha", "admin:x"); return err }, store.ErrStatusConflict, 409, "alpha"},
		{"bad serial", func() error { _, err := a.Certificate(bg, "zz"); return err }, store.ErrInvalid, 400, "serial"},
		{"bad CSR", func() error { _, err := a.SignCSR(bg, []byte("junk"), 0, "admin:x"); return err }, mgmt.ErrInvalidCSR, 400, "invalid CSR"},
		{"empty actor", func() error { _, err := a.Suspend(bg, "alpha", ""); return err }, store.ErrInvalid, 400, "actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *mgmt.Error
			if !errors.As(err, &e) || !errors.Is(err, tt.want) || e.Status != tt.status || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %#v, want %v (%d) containing %q", err, tt.want, tt.status, tt.msg)
			}
		})
	}
}

func TestOpenAdmin(t *testing.T) {
	t.Run("stopped server: the database directly", func(t *testing.T) {
		dir := newDataDir(t)
		_, c, err := mgmt.OpenLocal(dir, mgmt.LocalOptions{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		adm, closer, err := OpenAdmin(bg, dir, mgmt.LocalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer closer.Close()
		if _, ok := adm.(*mgmt.Service); !ok {
			t.Fatalf("got %T", adm)
		}
	})
	t.Run("running server: the socket", func(t *testing.T) {
		r := startAdmin(t, newDataDir(t))
		adm, closer, err := OpenAdmin(bg, r.dataDir, mgmt.LocalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer closer.Close()
		if _, ok := adm.(*Admin); !ok {
			t.Fatalf("got %T", adm)
		}
	})
	t.Run("locked without a socket", func(t *testing.T) {
		dir := newDataDir(t)
		_, c, err := mgmt.OpenLocal(dir, mgmt.LocalOptions{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, _, err = OpenAdmin(bg, dir, mgmt.LocalOptions{})
		if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "there is no admin socket") || !strings.Contains(err.Error(), "retry in a moment") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("locked with a dead socket", func(t *testing.T) {
		dir := newDataDir(t)
		_, c, err := mgmt.OpenLocal(dir, mgmt.LocalOptions{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ln, err := net.Listen("unix", mgmt.SocketPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		ln.(*net.UnixListener).SetUnlinkOnClose(false)
		ln.Close() // the file stays, nobody listens
		_, _, err = OpenAdmin(bg, dir, mgmt.LocalOptions{})
		if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "does not answer") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("no database", func(t *testing.T) {
		_, _, err := OpenAdmin(bg, filepath.Join(t.TempDir(), "typo"), mgmt.LocalOptions{})
		if !errors.Is(err, mgmt.ErrNoDatabase) {
			t.Fatalf("got %v", err)
		}
	})
}

// Package imtest runs the real management server and real reference IM
// servers on loopback, for the tests of the commands that operate them
// (im, sns, serve): each IM server is registered through the management
// server's public API, approved, and run from its own data directory, as
// `imictl serve` runs it.
package imtest

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/imserver"
)

// World is a management server with its IM servers.
type World struct {
	Mgmt *server.Server
}

// Start runs a management server on 127.0.0.1 (port 0) with a new plain CA
// in a temporary data directory, notifying changes with short backoffs. It
// stops at the end of the test.
func Start(t testing.TB) *World {
	t.Helper()
	s, err := server.New(server.Config{
		DataDir: t.TempDir(), Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		InitCA:   &ca.InitOptions{CommonName: "imtest root", ServerName: "imtest mgmt"},
		Notifier: server.NotifierOptions{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("management server: %v", err)
		}
	})
	return &World{Mgmt: s}
}

// IM is a reference IM server run from its data directory.
type IM struct {
	ID      string
	DataDir string // pass it to the commands with --data-dir
	Addr    string // host:port of its interconnection listener
	URL     string // its registered serverAddress, http://Addr
	// Key, Cert and Root are its identity files: the commands can sign
	// as this server with them (imictl sns --key --cert --root).
	Key, Cert, Root string

	srv  *imserver.Server
	done chan error
}

// IM registers a server id (submitted through the public API, approved by
// the administrator), writes its identity into a new data directory and
// runs it. It stops at the end of the test.
func (w *World) IM(t testing.TB, id string) *IM {
	t.Helper()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &IM{ID: id, DataDir: t.TempDir(), Addr: ln.Addr().String()}
	m.URL = "http://" + m.Addr
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: id, ServerName: id})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: w.Mgmt.URL(), Root: w.Mgmt.CA().Root.Cert, Key: key, ServerID: id})
	if err != nil {
		t.Fatal(err)
	}
	reqID, err := pub.Submit(ctx, api.SubmitRequest{ServerID: id, ServerName: id + " IM", ServerAddress: m.URL,
		ContactName: "Ops", ContactEmail: "ops@example.com", ContactMobile: "13500001111", OwnerID: "owner",
		CSR: string(pki.EncodeCSRPEM(csr))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Mgmt.Service().Approve(ctx, reqID, "admin:imtest", ""); err != nil {
		t.Fatal(err)
	}
	st, err := pub.Status(ctx, reqID)
	if err != nil || st.Status != api.RequestApproved {
		t.Fatalf("registration of %s: %+v %v", id, st, err)
	}
	keyPEM, err := pki.EncodePrivateKeyPEM(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := imserver.IdentityDir(m.DataDir)
	m.Key, m.Cert, m.Root = filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "root.crt")
	write(t, m.Key, keyPEM)
	write(t, m.Cert, []byte(st.ServerCert))
	write(t, m.Root, w.Mgmt.CA().RootPEM())

	m.srv, err = imserver.New(imserver.Config{
		DataDir: m.DataDir, Address: m.URL, MgmtURL: w.Mgmt.URL(), Listener: ln,
		Logger:   slog.New(slog.DiscardHandler),
		Delivery: imserver.DeliveryConfig{RetryBase: imserver.Duration(20 * time.Millisecond), RetryMax: imserver.Duration(200 * time.Millisecond)},
	})
	if err != nil {
		t.Fatal(err)
	}
	m.done = make(chan error, 1)
	srv, done := m.srv, m.done
	go func() { done <- srv.Run(context.Background()) }()
	t.Cleanup(func() { m.Stop(t) })
	return m
}

// Stop stops the server gracefully (again: nothing).
func (m *IM) Stop(t testing.TB) {
	if m.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.srv.Shutdown(ctx); err != nil {
		t.Errorf("stopping %s: %v", m.ID, err)
	}
	if err := <-m.done; err != nil {
		t.Errorf("%s: %v", m.ID, err)
	}
	m.srv = nil
}

func write(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Eventually polls cond every 10ms for at most 10s (generous for a loaded
// machine; a passing run takes milliseconds), then fails the test.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

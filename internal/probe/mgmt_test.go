package probe_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/probe"
)

// startMgmt runs the real management server on loopback and registers
// alpha-im there; it returns alpha-im's probe configuration.
func startMgmt(t *testing.T) probe.Config {
	t.Helper()
	s, err := server.New(server.Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		InitCA: &ca.InitOptions{CommonName: "probe mgmt root"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := pki.CreateCSR(key, pki.CSRTemplate{ServerID: "alpha-im", ServerName: "Alpha"})
	app, err := s.Service().Submit(ctx, api.SubmitRequest{ServerID: "alpha-im", ServerName: "Alpha", ServerAddress: "http://127.0.0.1:1",
		ContactName: "Ops", ContactEmail: "ops@example.com", ContactMobile: "13500001111", OwnerID: "alpha", CSR: string(pki.EncodeCSRPEM(csr))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Service().Approve(ctx, app.ID, "admin:test", ""); err != nil {
		t.Fatal(err)
	}
	st, err := s.Service().Status(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(st.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	return probe.Config{Key: key, Cert: cert, Roots: []*smx509.Certificate{s.CA().Root.Cert}, MgmtURL: s.URL(), Timeout: 5 * time.Second}
}

func probeMgmt(t *testing.T, cfg probe.Config) *probe.Report {
	t.Helper()
	rep, err := probe.Mgmt(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestHealthyMgmt(t *testing.T) {
	cfg := startMgmt(t)
	rep := probeMgmt(t, cfg)
	for _, c := range rep.Checks {
		want := probe.StatusOK
		if c.ID == "transport.tls" {
			want = probe.StatusSkipped // plain HTTP on loopback
		}
		if c.Status != want {
			t.Errorf("%s %s: %s", c.ID, c.Status, c.Finding)
		}
	}
	expect(t, rep, "mgmt.root", probe.StatusOK, "", "is your pinned root")
	expect(t, rep, "mgmt.crl", probe.StatusOK, "", "signed by the pinned root, 0 revoked")
	expect(t, rep, "identity.binding", probe.StatusOK, "", "bound to center-im")
	expect(t, rep, "mgmt.directory", probe.StatusOK, "", "lists you (alpha-im) with status 0")
	expect(t, rep, "clock.skew", probe.StatusOK, "", "the clock of center-im is within")
	if rep.Result != probe.StatusOK || rep.Kind != probe.KindMgmt || rep.ServerID != "center-im" {
		t.Errorf("result %s, kind %s, serverId %s", rep.Result, rep.Kind, rep.ServerID)
	}

	// An applicant without a certificate: everything but the directory.
	cfg.Cert, cfg.ServerID = nil, "alpha-im"
	rep = probeMgmt(t, cfg)
	expect(t, rep, "mgmt.directory", probe.StatusSkipped, "", "no certificate given")
	if rep.Result != probe.StatusOK {
		t.Errorf("result %s\n%s", rep.Result, dump(rep))
	}
}

func TestMgmtWithWrongRoot(t *testing.T) {
	cfg := startMgmt(t)
	cfg.Roots = []*smx509.Certificate{newCA(t, "another federation").Issuer.Cert}
	rep := probeMgmt(t, cfg)
	expect(t, rep, "mgmt.root", probe.StatusFail, "root_mismatch", `serves the root "probe mgmt root" (SHA-256 `)
	expect(t, rep, "mgmt.crl", probe.StatusSkipped, "", "not run: mgmt.root failed")
	if rep.Outcome() != probe.ClassAuth {
		t.Errorf("outcome %d", rep.Outcome())
	}
}

func TestMgmtUnreachable(t *testing.T) {
	cfg := startMgmt(t)
	cfg.MgmtURL = "http://127.0.0.1:1"
	rep := probeMgmt(t, cfg)
	expect(t, rep, "address.tcp", probe.StatusFail, "connection_refused", "connection refused at 127.0.0.1:1")
	if rep.Outcome() != probe.ClassUnavailable {
		t.Errorf("outcome %d", rep.Outcome())
	}
}

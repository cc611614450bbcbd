package probe_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/devfed"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/probe"
)

// startMgmt runs a local federation of one IM server, dev-1, and returns
// its probe configuration.
func startMgmt(t *testing.T) probe.Config {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fed, err := devfed.Start(ctx, devfed.Options{DataDir: t.TempDir(), Servers: 1, MgmtAddr: "127.0.0.1:0", IMAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fed.Close() })
	m := fed.Members[0]
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	key, err := pki.DecodePrivateKeyPEM(read(m.Key), nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCertificatePEM(read(m.Cert))
	if err != nil {
		t.Fatal(err)
	}
	root, err := pki.ParseCertificatePEM(read(m.Root))
	if err != nil {
		t.Fatal(err)
	}
	return probe.Config{Key: key, Cert: cert, Roots: []*smx509.Certificate{root}, MgmtURL: fed.MgmtURL, Timeout: 5 * time.Second}
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
	expect(t, rep, "mgmt.directory", probe.StatusOK, "", "lists you (dev-1) with status 0")
	expect(t, rep, "clock.skew", probe.StatusOK, "", "the clock of center-im is within")
	if rep.Result != probe.StatusOK || rep.Kind != probe.KindMgmt || rep.ServerID != "center-im" {
		t.Errorf("result %s, kind %s, serverId %s", rep.Result, rep.Kind, rep.ServerID)
	}

	// An applicant without a certificate: everything but the directory.
	cfg.Cert, cfg.ServerID = nil, "dev-1"
	rep = probeMgmt(t, cfg)
	expect(t, rep, "mgmt.directory", probe.StatusSkipped, "", "no certificate given")
	expect(t, rep, "clock.skew", probe.StatusSkipped, "", "no signed answer to read the clock from")
	if rep.Result != probe.StatusOK {
		t.Errorf("result %s\n%s", rep.Result, dump(rep))
	}
}

func TestMgmtWithWrongRoot(t *testing.T) {
	cfg := startMgmt(t)
	cfg.Roots = []*smx509.Certificate{newCA(t, "another federation").Issuer.Cert}
	rep := probeMgmt(t, cfg)
	expect(t, rep, "mgmt.root", probe.StatusFail, "root_mismatch", `serves the root "imictl dev federation root" (SHA-256 `)
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

package mgmt

import (
	"errors"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

func TestRevokeAndCRL(t *testing.T) {
	e := newEnv(t, nil)
	if due, err := e.svc.CRLDue(); err != nil || !due {
		t.Fatalf("no CRL yet: due %v, %v", due, err)
	}
	first, err := e.svc.RegenerateCRL(bg, "admin:x")
	if err != nil || first.Number != 1 || !first.NextUpdate.Equal(first.ThisUpdate.Add(pki.DefaultCRLValidity)) {
		t.Fatalf("first CRL %+v, %v", first, err)
	}
	if due, _ := e.svc.CRLDue(); due {
		t.Fatal("a fresh CRL is due")
	}
	e.clock.Add(pki.DefaultCRLValidity / 2)
	if due, _ := e.svc.CRLDue(); !due {
		t.Fatal("a CRL half way through its validity is not due")
	}

	e.register(t, "alpha")
	srv, _ := e.svc.Server(bg, "alpha")
	// Any serial spelling pki.ParseSerial reads is accepted.
	c, err := e.svc.Revoke(bg, "0x"+srv.CertSerial, pki.RevocationReasons["keyCompromise"], "admin:x")
	if err != nil || c.Status != store.CertRevoked {
		t.Fatalf("revoke: %+v, %v", c, err)
	}
	if r := revokedSerials(t, e); r[srv.CertSerial] != 1 {
		t.Fatalf("CRL %v", r)
	}
	if cur, _ := e.svc.CRL(bg); cur.Number != 2 {
		t.Fatalf("CRL number %d", cur.Number)
	}
	before := e.snapshot(t)
	if _, err := e.svc.Revoke(bg, srv.CertSerial, 0, "admin:x"); !errors.Is(err, store.ErrAlreadyRevoked) {
		t.Fatalf("revoke twice: %v", err)
	}
	e.assertUnchanged(t, before)

	// An expired certificate leaves the CRL.
	e.clock.Add(2 * pki.DefaultServerCertValidity)
	if _, err := e.svc.RegenerateCRL(bg, "admin:x"); err != nil {
		t.Fatal(err)
	}
	if r := revokedSerials(t, e); len(r) != 0 {
		t.Fatalf("expired entries kept: %v", r)
	}
}

func TestSignCSR(t *testing.T) {
	e := newEnv(t, nil)
	c, err := e.svc.SignCSR(bg, []byte(csrPEM(t, newKey(t), "gamma")), 30*24*time.Hour, "admin:x")
	if err != nil {
		t.Fatal(err)
	}
	if c.ServerID != "gamma" || c.NotAfter.Sub(e.clock.Now()) != 30*24*time.Hour {
		t.Fatalf("signed %+v", c)
	}
	got, err := e.svc.Certificate(bg, c.Serial)
	if err != nil || string(CertificatePEM(got)) != string(pki.EncodeCertificatePEM(c.DER)) {
		t.Fatalf("read back: %v", err)
	}
	before := e.snapshot(t)
	if _, err := e.svc.SignCSR(bg, []byte(brokenCSR(t, "gamma")), 0, "admin:x"); !errors.Is(err, ErrInvalidCSR) {
		t.Fatalf("broken CSR: %v", err)
	}
	e.assertUnchanged(t, before)
}

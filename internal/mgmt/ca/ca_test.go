package ca

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
)

func init() { pki.KDFIterations = 1000 }

func TestInitLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	c, err := Init(dir, InitOptions{Password: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	for name, perm := range map[string]os.FileMode{RootKeyFile: 0o600, SelfKeyFile: 0o600, RootCertFile: 0o644} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Mode().Perm() != perm {
			t.Errorf("%s: %v mode %v", name, err, st.Mode())
		}
	}
	if enc, _ := IsEncrypted(dir); !enc {
		t.Error("CA key not encrypted")
	}
	if c.SelfID != DefaultServerID {
		t.Errorf("self id %q", c.SelfID)
	}
	pool := smx509.NewCertPool()
	pool.AddCert(c.Root.Cert)
	if err := pki.VerifyCertificate(c.Self, pki.VerifyOptions{Roots: pool, ServerID: DefaultServerID}); err != nil {
		t.Fatalf("management certificate does not verify: %v", err)
	}
	if _, err := Load(dir, []byte("wrong")); !errors.Is(err, pki.ErrBadPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := Load(dir, nil); !errors.Is(err, pki.ErrPasswordRequired) {
		t.Errorf("no password: %v", err)
	}
	if _, err := Init(dir, InitOptions{}); !errors.Is(err, ErrExists) {
		t.Errorf("second init: %v", err)
	}
	if _, err := Load(t.TempDir(), nil); !errors.Is(err, ErrNotInitialized) {
		t.Errorf("empty dir: %v", err)
	}
}

func TestIssue(t *testing.T) {
	c, err := Init(t.TempDir(), InitOptions{ServerID: "mgmt-1"})
	if err != nil {
		t.Fatal(err)
	}
	if enc, _ := IsEncrypted(c.Dir); enc {
		t.Error("insecure CA key encrypted")
	}
	key, _ := pki.GenerateKey()
	der, _ := pki.CreateCSR(key, pki.CSRTemplate{ServerID: "srv1"})
	csr, _ := smx509.ParseCertificateRequest(der)
	now := time.Now()
	certDER, err := c.Issue(csr, time.Hour, now, []string{"http://127.0.0.1/sns/restApi/crl"})
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := smx509.ParseCertificate(certDER)
	if cert.NotAfter.Sub(now) > time.Hour+time.Second || cert.Subject.CommonName != "srv1" {
		t.Errorf("validity %v, subject %v", cert.NotAfter, cert.Subject)
	}
}

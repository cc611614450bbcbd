package imserver

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "config.json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err := LoadConfig(write(`{"serverId":"alpha-im","address":"http://127.0.0.1:8441","mgmtURL":"http://127.0.0.1:8440",
		"policy":{"allow":[],"deny":["bad-im"]},"delivery":{"window":3,"retryBase":"250ms","retryMax":90},"directoryRefresh":"2m","retention":"720h"}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.ServerID != "alpha-im" || c.Delivery.Window != 3 || time.Duration(c.Delivery.RetryBase) != 250*time.Millisecond ||
		time.Duration(c.Delivery.RetryMax) != 90*time.Second || time.Duration(c.DirectoryRefresh) != 2*time.Minute || c.Policy.Deny[0] != "bad-im" ||
		time.Duration(c.Retention) != 30*24*time.Hour {
		t.Errorf("read %+v", c)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"adress":"http://x:1"}`, `unknown field "adress"`},
		{`{"crlRefresh":"soon"}`, `bad duration "soon"`},
		{`{"crlRefresh":true}`, `want a duration`},
		{`{`, `unexpected EOF`},
	} {
		if _, err := LoadConfig(write(tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.body, err, tc.want)
		}
	}
	if _, err := LoadConfig(filepath.Join(dir, "none.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if c, err := LoadConfigDefault(dir); err != nil || c.DataDir != dir {
		t.Errorf("no config.json in the data directory: %+v %v", c, err)
	}
}

// Every configuration mistake is reported before anything is created.
func TestConfigRefusals(t *testing.T) {
	ca := clienttest.NewCA(t)
	other := clienttest.NewCA(t)
	alpha := ca.Server(t, "alpha-im")
	valid := func(t *testing.T) Config {
		dataDir := t.TempDir()
		ca.WriteFiles(t, alpha, IdentityDir(dataDir), nil)
		return Config{DataDir: dataDir, Address: "http://127.0.0.1:1", MgmtURL: "http://127.0.0.1:2", Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)}
	}
	for _, tc := range []struct {
		name  string
		tweak func(t *testing.T, c *Config)
		want  string
	}{
		{"no data directory", func(_ *testing.T, c *Config) { c.DataDir = "" }, "DataDir is required"},
		{"no address", func(_ *testing.T, c *Config) { c.Address = "" }, "the server's address is required"},
		{"address not a URL", func(_ *testing.T, c *Config) { c.Address = "127.0.0.1:8441" }, "want an http:// or https:// URL"},
		{"address with a query", func(_ *testing.T, c *Config) { c.Address = "http://h:1/?x=1" }, "without user, query or fragment"},
		{"no management server", func(_ *testing.T, c *Config) { c.MgmtURL = "" }, "management server's URL is required"},
		{"half of TLS", func(_ *testing.T, c *Config) { c.TLSCert = "x.pem" }, "both tlsCert and tlsKey"},
		{"bad management serverId", func(_ *testing.T, c *Config) { c.MgmtServerID = "center.im" }, "mgmtServerId"},
		{"another serverId", func(_ *testing.T, c *Config) { c.ServerID = "beta-im" }, `says serverId "beta-im" but the certificate`},
		{"no certificate", func(_ *testing.T, c *Config) { os.Remove(filepath.Join(IdentityDir(c.DataDir), "cert.pem")) }, "reading the server certificate"},
		{"no root", func(_ *testing.T, c *Config) { os.Remove(filepath.Join(IdentityDir(c.DataDir), "root.crt")) }, "reading the interconnection root"},
		{"root of another CA", func(t *testing.T, c *Config) {
			os.WriteFile(filepath.Join(IdentityDir(c.DataDir), "root.crt"), other.RootPEM(), 0o600)
		}, "is not valid under the root"},
		{"key of another server", func(t *testing.T, c *Config) {
			os.WriteFile(filepath.Join(IdentityDir(c.DataDir), "key.pem"), ca.Server(t, "alpha-im").KeyPEM(t, nil), 0o600)
		}, "the private key does not match the certificate"},
		{"encrypted key without password", func(t *testing.T, c *Config) {
			os.WriteFile(filepath.Join(IdentityDir(c.DataDir), "key.pem"), alpha.KeyPEM(t, []byte("secret")), 0o600)
		}, "give its password"},
		{"wrong password", func(t *testing.T, c *Config) {
			os.WriteFile(filepath.Join(IdentityDir(c.DataDir), "key.pem"), alpha.KeyPEM(t, []byte("secret")), 0o600)
			os.WriteFile(filepath.Join(c.DataDir, "pw"), []byte("guess\n"), 0o600)
			c.PasswordFile = filepath.Join(c.DataDir, "pw")
		}, "wrong password"},
		{"listen address unusable", func(t *testing.T, c *Config) { c.Listen = "256.0.0.1:1" }, "listening on 256.0.0.1:1"},
		{"negative retention", func(_ *testing.T, c *Config) { c.Retention = Duration(-time.Hour) }, "want 0 (keep every message) or at least 24h0m0s"},
		{"retention under a day", func(_ *testing.T, c *Config) { c.Retention = Duration(time.Hour) }, "retention 1h0m0s: want 0"},
		{"the management server on the black list", func(_ *testing.T, c *Config) { c.Policy = &PolicyConfig{Deny: []string{"center-im"}} },
			"policy: in config.json: invalid input: deny: center-im is the management server, always allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer lowKDF()()
			c := valid(t)
			tc.tweak(t, &c)
			s, err := New(c)
			if err == nil {
				s.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want %q", err, tc.want)
			}
			if c.DataDir != "" {
				if _, err := os.Stat(SocketPath(c.DataDir)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("left an admin socket behind: %v", err)
				}
			}
		})
	}
	// The encrypted key with its password file starts.
	defer lowKDF()()
	c := valid(t)
	os.WriteFile(filepath.Join(IdentityDir(c.DataDir), "key.pem"), alpha.KeyPEM(t, []byte("secret")), 0o600)
	os.WriteFile(filepath.Join(c.DataDir, "pw"), []byte("secret\n"), 0o600)
	c.PasswordFile = filepath.Join(c.DataDir, "pw")
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// lowKDF makes encrypted test keys cheap; call the result to restore.
func lowKDF() func() {
	old := pki.KDFIterations
	pki.KDFIterations = 1000
	return func() { pki.KDFIterations = old }
}

// The configuration's lists replace the stored ones at start and refuse
// at once.
func TestPolicyFromConfig(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im", func(c *Config) { c.Policy = &PolicyConfig{Deny: []string{"alpha-im"}} })
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	_, err := alpha.client.VerifyUser(context.Background(), beta.peer(), "bob@beta-im")
	authErr(t, "denied by the configuration", err, httpsig.ReasonForbiddenByPolicy)
	if p, _ := beta.Policy(); len(p.Deny) != 1 || p.Deny[0] != "alpha-im" {
		t.Errorf("stored policy: %+v", p)
	}
}

// failingMgmt is a management server that cannot be reached.
type failingMgmt struct{ Mgmt }

func (failingMgmt) FetchCRL(context.Context) (*smx509.RevocationList, error) {
	return nil, errors.New("connection refused")
}

// The CRL kept on disk serves when the management server is unreachable.
func TestCRLCopy(t *testing.T) {
	ca := clienttest.NewCA(t)
	path := filepath.Join(t.TempDir(), "crl.pem")
	src := &crlSource{mgmt: failingMgmt{}, path: path, log: slog.New(slog.DiscardHandler)}
	if _, err := src.FetchCRL(context.Background()); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("no copy yet: %v", err)
	}
	crl, err := pki.ParseCRL(ca.CRL(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := src.save(crl); err != nil {
		t.Fatal(err)
	}
	got, err := src.FetchCRL(context.Background())
	if err != nil || !got.Number.IsInt64() || got.Number.Cmp(crl.Number) != 0 {
		t.Errorf("from the copy: %v %v", got, err)
	}
}

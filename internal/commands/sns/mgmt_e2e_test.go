package sns_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// startRealMgmt runs the real management server on loopback, with a plain
// CA (fast) in a temporary data directory.
func startRealMgmt(t *testing.T) *server.Server {
	t.Helper()
	s, err := server.New(server.Config{
		DataDir: t.TempDir(), Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		InitCA: &ca.InitOptions{CommonName: "sns e2e root", ServerName: "sns e2e mgmt"},
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
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// registerReal takes id through submission and approval and writes its
// key, certificate and the root into dir.
func registerReal(t *testing.T, s *server.Server, id, address, dir string) (*sm2.PrivateKey, *smx509.Certificate, map[string]string) {
	t.Helper()
	ctx := context.Background()
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: id, ServerName: id})
	if err != nil {
		t.Fatal(err)
	}
	app, err := s.Service().Submit(ctx, api.SubmitRequest{ServerID: id, ServerName: id + " IM", ServerAddress: address,
		ContactName: "Ops", ContactEmail: "ops@example.com", ContactMobile: "13500001111", OwnerID: "owner", CSR: string(pki.EncodeCSRPEM(csr))})
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
	keyPEM, err := pki.EncodePrivateKeyPEM(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{identity.EnvKey: filepath.Join(dir, id+".key"), identity.EnvCert: filepath.Join(dir, id+".crt"), identity.EnvRoot: filepath.Join(dir, "root.crt")}
	writeFile(t, files[identity.EnvKey], keyPEM)
	writeFile(t, files[identity.EnvCert], pki.EncodeCertificatePEM(cert.Raw))
	writeFile(t, files[identity.EnvRoot], pki.EncodeCertificatePEM(s.CA().Root.Cert.Raw))
	return key, cert, files
}

// The commands and the reference client against the real management
// server: M2 for its certificate, the CRL, signed M1 queries both ways,
// revocation after cancellation.
func TestWithRealMgmt(t *testing.T) {
	ctx := context.Background()
	m := startRealMgmt(t)
	dir := t.TempDir()
	roots := smx509.NewCertPool()
	roots.AddCert(m.CA().Root.Cert)

	// beta-im: a stand-in peer whose address is known before it can run.
	var handler atomic.Pointer[http.Handler]
	peerSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "starting", http.StatusServiceUnavailable) // the management server's change notices come early
	}))
	defer peerSrv.Close()
	betaKey, betaCert, _ := registerReal(t, m, "beta-im", peerSrv.URL, dir)
	_, _, alphaFiles := registerReal(t, m, "alpha-im", "http://127.0.0.1:1", dir)

	// beta-im authenticates its callers through the real directory.
	mgmtDir, err := mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: m.URL(), Roots: roots, Key: betaKey, Cert: betaCert})
	if err != nil {
		t.Fatal(err)
	}
	if err := mgmtDir.CRLHolder().Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	betaSigner, err := httpsig.NewSigner(betaKey, betaCert)
	if err != nil {
		t.Fatal(err)
	}
	v, err := httpsig.NewVerifier(httpsig.Options{Self: "beta-im", Signer: betaSigner, Resolver: mgmtDir, Roots: roots, CRL: mgmtDir.CRLHolder(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	h := v.Middleware(peerHandler())
	handler.Store(&h)

	env := cmdtest.Options{Env: map[string]string{identity.EnvMgmt: m.URL(), identity.ConfigEnv: filepath.Join(dir, "none.yaml")}}
	for k, v := range alphaFiles {
		env.Env[k] = v
	}
	res := cmdtest.Run(t, env, "sns", "is-friend", "u2@beta-im", "--owner", "u1@alpha-im", "-o", "json", "-v")
	res.Expect(t, 0)
	if res.Stdout != "{\n  \"code\": 0,\n  \"error\": \"\",\n  \"isFriend\": 1\n}\n" {
		t.Errorf("stdout %q", res.Stdout)
	}
	if !strings.Contains(res.Stderr, "< Imi-Origin: center-im") {
		t.Errorf("the directory's answers were not signed by center-im:\n%s", res.Stderr)
	}

	// After beta-im is cancelled, its certificate is revoked: refused.
	app, err := m.Service().Cancel(ctx, "beta-im", api.CancelRequest{ServerID: "beta-im", Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Service().Approve(ctx, app.ID, "admin:test", ""); err != nil {
		t.Fatal(err)
	}
	res = cmdtest.Run(t, env, "sns", "user", "u2@beta-im")
	res.Expect(t, 4)
	if !strings.Contains(res.Stderr, `the directory says "beta-im" is cancelled`) {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = cmdtest.Run(t, env, "sns", "user", "u2@beta-im", "--url", peerSrv.URL)
	res.Expect(t, 4)
	if !strings.Contains(res.Stderr, "response from beta-im failed authentication: cert_revoked") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

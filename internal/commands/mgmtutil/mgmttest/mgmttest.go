// Package mgmttest runs a real management server on loopback for the tests
// of the management commands (ca, admin, register, dir), and makes the
// files an IM server's administrator would have: keys, CSRs, certificates
// and the pinned root.
package mgmttest

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// CAPassword is the password of an encrypted test CA (Options.Encrypted).
const CAPassword = "ca secret"

// Options shape a test management server.
type Options struct {
	// Encrypted creates the CA with CAPassword (lower pki.KDFIterations in
	// TestMain to keep it fast).
	Encrypted bool
	// Now is the server's clock; default time.Now. A test spanning days
	// of fake time gives its clients the same clock.
	Now func() time.Time
	// RemoteAdmin also serves the remote admin API on loopback (AdminURL).
	RemoteAdmin bool
}

// Server is a management server running in the test process.
type Server struct {
	*server.Server
	DataDir string
	Dir     string // a scratch directory for files (keys, CSRs, ...)
	Root    string // the root certificate file, as a pinned root

	now    func() time.Time
	remote bool
	pw     []byte
	cancel context.CancelFunc
	done   chan error
}

// Start runs a management server on 127.0.0.1 (port 0) with a new CA in a
// temporary data directory. It stops at the end of the test.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{DataDir: filepath.Join(t.TempDir(), "data"), Dir: t.TempDir(), now: o.Now, remote: o.RemoteAdmin}
	init := &ca.InitOptions{CommonName: "mgmttest root", ServerName: "mgmttest"}
	if o.Encrypted {
		s.pw = []byte(CAPassword)
		init.Password = s.pw
	}
	if err := s.start(init, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	s.Root = s.WriteFile(t, "root.crt", s.CA().RootPEM())
	t.Cleanup(s.Stop)
	return s
}

// Restart stops the server and starts it again on the same address, with
// what its data directory holds then (a CA changed meanwhile, say).
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	addr := s.Addr().String()
	s.Stop()
	var err error
	for range 50 { // the port may take a moment to be released
		if err = s.start(nil, addr); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal(err)
}

func (s *Server) start(init *ca.InitOptions, addr string) error {
	cfg := server.Config{
		DataDir: s.DataDir, Addr: addr, InitCA: init, CAPassword: s.pw, Now: s.now,
		Logger:   slog.New(slog.DiscardHandler),
		Notifier: server.NotifierOptions{BaseBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Timeout: time.Second},
	}
	if s.remote {
		cfg.AdminAddr = "127.0.0.1:0"
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		srv.Close()
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.Server, s.cancel, s.done = srv, cancel, make(chan error, 1)
	go func() { s.done <- srv.Serve(ctx) }()
	return nil
}

// Stop shuts the server down and waits until its database is released, so
// that the commands then work on the database directly.
func (s *Server) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.done
	s.cancel = nil
}

// Env is what the commands see: the data directory and the management URL.
func (s *Server) Env() map[string]string {
	return map[string]string{
		cmdutil.DataDirEnv: s.DataDir,
		identity.EnvMgmt:   s.URL(),
		identity.ConfigEnv: filepath.Join(s.Dir, "no-config.yaml"),
	}
}

// Opts are cmdtest options with Env and the real clock (the server's).
func (s *Server) Opts() cmdtest.Options {
	return cmdtest.Options{Env: s.Env(), Now: time.Now()}
}

// WriteFile writes data to name in the scratch directory.
func (s *Server) WriteFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(s.Dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Applicant is an IM server's files before and after registration.
type Applicant struct {
	ID      string
	Key     *sm2.PrivateKey
	KeyFile string
	CSRFile string
	CSR     []byte // PEM
}

// NewApplicant makes a key and a CSR for id in the scratch directory
// (files id.key and id.csr).
func (s *Server) NewApplicant(t testing.TB, id string) *Applicant {
	t.Helper()
	return s.NextKey(t, id, id)
}

// NextKey makes another key and CSR for id, in files name.key and
// name.csr (a key rotation).
func (s *Server) NextKey(t testing.TB, id, name string) *Applicant {
	t.Helper()
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := pki.EncodePrivateKeyPEM(k, nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := pki.CreateCSR(k, pki.CSRTemplate{ServerID: id, ServerName: id + " IM"})
	if err != nil {
		t.Fatal(err)
	}
	a := &Applicant{ID: id, Key: k, CSR: pki.EncodeCSRPEM(der)}
	a.KeyFile = s.WriteFile(t, name+".key", keyPEM)
	a.CSRFile = s.WriteFile(t, name+".csr", a.CSR)
	return a
}

// SubmitRequest is a complete registration of a, as the service takes it.
func (a *Applicant) SubmitRequest() api.SubmitRequest {
	return api.SubmitRequest{
		ServerID: a.ID, ServerName: a.ID + " IM", ServerAddress: "http://127.0.0.1:1",
		ContactName: "Ops " + a.ID, ContactEmail: "ops@" + a.ID + ".example.com", ContactMobile: "+86 135-0000-1111",
		OwnerID: "owner-" + a.ID, CSR: string(a.CSR),
	}
}

// Submit applies for a's registration directly through the service and
// returns the request id.
func (s *Server) Submit(t testing.TB, a *Applicant) string {
	t.Helper()
	app, err := s.Service().Submit(context.Background(), a.SubmitRequest())
	if err != nil {
		t.Fatal(err)
	}
	return app.ID
}

// Registered is a registered server's identity files.
type Registered struct {
	*Applicant
	Cert     *smx509.Certificate
	CertFile string
}

// Register takes a new applicant id through submission and approval and
// writes its certificate.
func (s *Server) Register(t testing.TB, id string) *Registered {
	t.Helper()
	a := s.NewApplicant(t, id)
	reqID := s.Submit(t, a)
	ctx := context.Background()
	if _, err := s.Service().Approve(ctx, reqID, "admin:mgmttest", ""); err != nil {
		t.Fatal(err)
	}
	// Queue its notifications now, as the notifier would, so that a test
	// that stops the server next finds them queued.
	for range 1000 {
		more, err := s.Service().Store().ExpandChanges()
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			break
		}
	}
	st, err := s.Service().Status(ctx, reqID)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(st.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	return &Registered{Applicant: a, Cert: cert, CertFile: s.WriteFile(t, id+".crt", pki.EncodeCertificatePEM(cert.Raw))}
}

// IdentityEnv is Env plus r's identity as IMICTL_* variables.
func (s *Server) IdentityEnv(r *Registered) map[string]string {
	env := s.Env()
	env[identity.EnvKey], env[identity.EnvCert], env[identity.EnvRoot] = r.KeyFile, r.CertFile, s.Root
	return env
}

// Check runs fn on the registry as it stands: the running server's
// service, or the database of the stopped one (opened and closed again, so
// that the commands can open it next).
func (s *Server) Check(t testing.TB, fn func(mgmt.Admin)) {
	t.Helper()
	if s.cancel != nil {
		fn(s.Service())
		return
	}
	svc, closer, err := mgmt.OpenLocal(s.DataDir, mgmt.LocalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	fn(svc)
}

// Applications lists every application.
func (s *Server) Applications(t testing.TB) []store.Application {
	t.Helper()
	var apps []store.Application
	s.Check(t, func(a mgmt.Admin) {
		var err error
		if apps, err = a.Requests(context.Background(), store.ApplicationFilter{}); err != nil {
			t.Fatal(err)
		}
	})
	return apps
}

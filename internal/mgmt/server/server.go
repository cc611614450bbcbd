package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/ops"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// DefaultAddr is where the management server listens unless told
// otherwise: loopback only, plain HTTP (every call is authenticated end to
// end by signatures; add TLS with Config.TLSCertFile for a public address).
const DefaultAddr = "127.0.0.1:8440"

// Config configures a management server. DataDir is required.
type Config struct {
	DataDir string
	Addr    string // public API; default DefaultAddr
	// PublicURL is how IM servers reach this server, written into issued
	// certificates as the CRL distribution point; default http(s)://Addr
	// (left out when Addr has port 0).
	PublicURL string
	// CAPassword decrypts the CA keys (mgmt/ca); empty for plain keys.
	CAPassword []byte
	// InitCA, when set, creates the CA on first start if there is none
	// (its Password protects the new keys; empty means plain keys, which
	// the caller must have been told to allow, e.g. --insecure).
	InitCA *ca.InitOptions
	// TLSCertFile and TLSKeyFile serve the public API over TLS, and the
	// remote admin API too.
	TLSCertFile, TLSKeyFile string
	// AdminAddr, when set, serves the admin API over TCP too, to
	// administrators who sign every call with an administrator certificate
	// (remote.go); ":PORT" is loopback. None by default: the unix socket
	// alone.
	AdminAddr string
	// Etcd, when set, keeps the registry and the CA (keys encrypted only)
	// in etcd instead of DataDir, which then holds only the admin socket:
	// servers with the same Etcd are replicas of one management server.
	Etcd *store.EtcdConfig
	// ReplicaLease, with Etcd, is how long a replica that dies keeps the
	// notifier before another takes over; default 5s (whole seconds).
	ReplicaLease time.Duration

	Logger *slog.Logger // default slog.Default()
	// Ops receives the server's metrics and readiness checks; default a
	// registry of its own, which nothing exposes.
	Ops          *ops.Service
	Notifier     NotifierOptions
	CertValidity time.Duration // of issued certificates; default 1 year
	CRLValidity  time.Duration // thisUpdate to nextUpdate; default 24h
	CRLCheck     time.Duration // how often the CRL's age is checked; default 1 minute
	Now          func() time.Time
}

// Server is a management server: the public API, the admin API on the
// unix socket, the notifier and the CRL refresher, over one data
// directory. New opens it, Listen binds, Serve runs until its context ends.
type Server struct {
	cfg      Config
	st       *store.Store
	ca       *ca.CA
	svc      *mgmt.Service
	crl      *crlState
	notifier *notifier
	outbound *http.Transport
	public   http.Handler
	admin    http.Handler
	remote   http.Handler // nil without Config.AdminAddr

	publicLn, adminLn, remoteLn net.Listener
	leading                     atomic.Bool // the notifier runs here (replica.go)
}

// New loads (or, with InitCA, creates) the CA, opens the store and builds
// the handlers. It fails with store.ErrLocked when another server holds the
// data directory. Until Serve returns, the Server holds the store: call
// Close if Serve is never called.
func New(cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("server: Config.DataDir is required")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Ops == nil {
		cfg.Ops = ops.NewRegistry().Service("mgmt")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CRLCheck <= 0 {
		cfg.CRLCheck = time.Minute
	}
	if cfg.ReplicaLease <= 0 {
		cfg.ReplicaLease = defaultReplicaLease
	}
	if err := os.MkdirAll(mgmt.Dir(cfg.DataDir), 0o700); err != nil {
		return nil, err
	}
	if cfg.Etcd != nil {
		return newReplica(cfg)
	}
	authority, err := loadCA(cfg, ca.Dir(mgmt.CADir(cfg.DataDir)))
	if err != nil {
		return nil, err
	}
	st, err := store.Open(mgmt.DBPath(cfg.DataDir), store.Options{Now: cfg.Now})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("another management server is running on %s (the database is locked): stop it first, or give this one another --data-dir: %w", cfg.DataDir, err)
	}
	if err != nil {
		return nil, err
	}
	return buildOrClose(cfg, st, authority)
}

// newReplica opens the registry in etcd and loads the CA kept there.
func newReplica(cfg Config) (*Server, error) {
	st, err := store.DialEtcd(*cfg.Etcd, store.Options{Now: cfg.Now})
	if err != nil {
		return nil, err
	}
	authority, err := loadSharedCA(cfg, st.SharedFiles())
	if err != nil {
		st.Close()
		return nil, err
	}
	return buildOrClose(cfg, st, authority)
}

// loadSharedCA loads the replicas' CA, creating it with InitCA when there
// is none. Its keys are only ever stored encrypted.
func loadSharedCA(cfg Config, files ca.Files) (*ca.CA, error) {
	if cfg.InitCA != nil && len(cfg.InitCA.Password) == 0 {
		return nil, errors.New("a management server on etcd keeps the CA key in etcd, and only encrypted: give a CA password (--ca-password-file), not --insecure")
	}
	authority, err := loadCA(cfg, files)
	if errors.Is(err, ca.ErrExists) {
		// Another replica created it at the same moment: use that one.
		authority, err = loadCA(cfg, files)
	}
	if err != nil {
		return nil, err
	}
	if err := ca.RequireEncrypted(files); err != nil {
		return nil, err
	}
	return authority, nil
}

func buildOrClose(cfg Config, st *store.Store, authority *ca.CA) (*Server, error) {
	s, err := build(cfg, st, authority)
	if err != nil {
		st.Close()
		return nil, err
	}
	return s, nil
}

func loadCA(cfg Config, files ca.Files) (*ca.CA, error) {
	_, err := files.ReadFile(ca.RootCertFile)
	if errors.Is(err, fs.ErrNotExist) && cfg.InitCA != nil {
		opts := *cfg.InitCA
		if opts.Now.IsZero() {
			opts.Now = cfg.Now()
		}
		c, err := ca.InitIn(files, opts)
		if err != nil {
			return nil, fmt.Errorf("creating the CA in %s: %w", files, err)
		}
		cfg.Logger.Info("created the interconnection CA", "dir", files.String(), "serverId", c.SelfID, "encrypted", len(opts.Password) > 0)
		return c, nil
	}
	c, err := ca.LoadFrom(files, cfg.CAPassword)
	if err != nil {
		return nil, fmt.Errorf("loading the CA: %w", err)
	}
	return c, nil
}

func build(cfg Config, st *store.Store, authority *ca.CA) (*Server, error) {
	signer, err := httpsig.NewSigner(authority.Key, authority.Self)
	if err != nil {
		return nil, fmt.Errorf("the management server's identity: %w", err)
	}
	signer.SetClock(cfg.Now) // its answers are dated on the clock they are checked on
	s := &Server{cfg: cfg, st: st, ca: authority, crl: &crlState{now: cfg.Now}}
	switch cur, err := st.CurrentCRL(); {
	case err == nil:
		if err := s.crl.set(cur); err != nil {
			return nil, err
		}
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	roots := smx509.NewCertPool()
	roots.AddCert(authority.Root.Cert)
	self := &httpsig.ServerInfo{ServerID: authority.SelfID, Status: httpsig.StatusNormal, Certificate: authority.Self}
	verifier, err := httpsig.NewVerifier(httpsig.Options{
		Self:     authority.SelfID,
		Resolver: newStoreResolver(st, self),
		Roots:    roots,
		CRL:      s.crl,
		Signer:   signer,
		MaxBody:  1 << 20,
		Now:      cfg.Now,
		Logger:   cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	s.outbound = http.DefaultTransport.(*http.Transport).Clone()
	s.outbound.ResponseHeaderTimeout = 10 * time.Second
	s.outbound.MaxIdleConnsPerHost = 2
	s.notifier = newNotifier(st, &httpsig.Transport{Base: s.outbound, Signer: signer, Verifier: verifier}, cfg.Notifier, cfg.Logger, cfg.Now)
	s.svc = mgmt.New(st, mgmt.Options{
		CA:           authority,
		CertValidity: cfg.CertValidity,
		CRLValidity:  cfg.CRLValidity,
		CRLURLs:      crlURLs(cfg),
		Changed:      s.notifier.Wake,
		CRLPublished: func(c store.CRL) {
			if err := s.crl.set(c); err != nil {
				cfg.Logger.Error("using the new CRL failed", "err", err)
			}
		},
		Now: cfg.Now,
	})
	s.public = s.instrument((&publicAPI{svc: s.svc, verifier: verifier, signer: signer, rootPEM: authority.RootPEM(), log: cfg.Logger}).handler())
	s.admin = peerCheck(NewAdminHandler(s.svc, authority.SelfID))
	if cfg.AdminAddr != "" {
		if s.cfg.AdminAddr, err = adminListenAddr(cfg.AdminAddr); err != nil {
			return nil, err
		}
		if s.remote, err = s.remoteAdminHandler(signer, roots); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func crlURLs(cfg Config) []string {
	base := cfg.PublicURL
	if base == "" {
		host, port, err := net.SplitHostPort(cfg.Addr)
		if err != nil || port == "0" {
			return nil
		}
		scheme := "http"
		if cfg.TLSCertFile != "" {
			scheme = "https"
		}
		base = scheme + "://" + net.JoinHostPort(host, port)
	}
	return []string{base + mgmt.PathCRL}
}

// Service is the registration workflow the server runs (for tests and for
// embedding).
func (s *Server) Service() *mgmt.Service { return s.svc }

// CA is the loaded CA.
func (s *Server) CA() *ca.CA { return s.ca }

// Addr is the public API's address once Listen returned.
func (s *Server) Addr() net.Addr { return s.publicLn.Addr() }

// URL is the public API's base URL once Listen returned.
func (s *Server) URL() string { return s.scheme() + "://" + s.Addr().String() }

// AdminURL is the remote admin API's base URL once Listen returned, ""
// without Config.AdminAddr.
func (s *Server) AdminURL() string {
	if s.remoteLn == nil {
		return ""
	}
	return s.scheme() + "://" + s.remoteLn.Addr().String()
}

func (s *Server) scheme() string {
	if s.cfg.TLSCertFile != "" {
		return "https"
	}
	return "http"
}

// Listen binds the public address, the admin socket and the remote admin
// address if any.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", s.cfg.Addr, err)
	}
	adm, err := listenAdmin(mgmt.SocketPath(s.cfg.DataDir))
	if err != nil {
		ln.Close()
		return err
	}
	if s.remote != nil {
		if s.remoteLn, err = net.Listen("tcp", s.cfg.AdminAddr); err != nil {
			ln.Close()
			adm.Close()
			return fmt.Errorf("listening on --admin-addr %s: %w", s.cfg.AdminAddr, err)
		}
	}
	s.publicLn, s.adminLn = ln, adm
	return nil
}

// closeListeners closes what Listen bound.
func (s *Server) closeListeners() {
	for _, ln := range []net.Listener{s.publicLn, s.adminLn, s.remoteLn} {
		if ln != nil {
			ln.Close()
		}
	}
}

// Close releases the store without serving (when Serve is not called).
func (s *Server) Close() error {
	s.closeListeners()
	return s.st.Close()
}

// Serve runs the server until ctx ends, then shuts down gracefully (10s
// for calls in flight), stops the background work and closes the store.
// It publishes a CRL first if the current one is missing or half expired.
func (s *Server) Serve(ctx context.Context) error {
	defer s.st.Close()
	if err := s.refreshCRL(); err != nil {
		s.closeListeners()
		return err
	}
	log := s.cfg.Logger
	public := &http.Server{
		Handler:           s.public,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	admin := &http.Server{
		Handler:           s.admin,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ConnContext:       withConn,
		ErrorLog:          public.ErrorLog,
	}
	remote := &http.Server{
		Handler:           s.remote,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          public.ErrorLog,
	}
	bgCtx, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	var wg sync.WaitGroup
	wg.Go(func() { s.runNotifier(bgCtx) })
	wg.Go(func() { s.crlLoop(bgCtx) })
	wg.Go(func() { s.followCRL(bgCtx) })

	errs := make(chan error, 3)
	go func() { errs <- fmt.Errorf("public API: %w", s.serveTCP(public, s.publicLn)) }()
	go func() { errs <- fmt.Errorf("admin API: %w", admin.Serve(s.adminLn)) }()
	if s.remoteLn != nil {
		go func() { errs <- fmt.Errorf("remote admin API: %w", s.serveTCP(remote, s.remoteLn)) }()
	}
	log.Info("management server ready", "url", s.URL(), "admin", mgmt.SocketPath(s.cfg.DataDir), "remoteAdmin", s.AdminURL(), "serverId", s.ca.SelfID)

	var failed error
	select {
	case <-ctx.Done():
	case failed = <-errs:
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	public.Shutdown(shutdownCtx)
	admin.Shutdown(shutdownCtx)
	remote.Shutdown(shutdownCtx)
	stopBackground()
	wg.Wait()
	s.outbound.CloseIdleConnections()
	log.Info("management server stopped")
	if failed != nil && !errors.Is(failed, http.ErrServerClosed) {
		return failed
	}
	return nil
}

// serveTCP serves srv on ln, over TLS when the server has a certificate.
func (s *Server) serveTCP(srv *http.Server, ln net.Listener) error {
	if s.cfg.TLSCertFile != "" {
		return srv.ServeTLS(ln, s.cfg.TLSCertFile, s.cfg.TLSKeyFile)
	}
	return srv.Serve(ln)
}

// refreshCRL publishes a new CRL when the current one is missing or past
// half its validity.
func (s *Server) refreshCRL() error {
	due, err := s.svc.CRLDue()
	if err != nil || !due {
		return err
	}
	c, err := s.svc.RegenerateCRL(context.Background(), mgmt.ActorCRLRefresh)
	if err != nil {
		return fmt.Errorf("publishing the CRL: %w", err)
	}
	s.cfg.Logger.Info("published a CRL", "number", c.Number, "nextUpdate", c.NextUpdate)
	return nil
}

func (s *Server) crlLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.CRLCheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.refreshCRL(); err != nil {
				s.cfg.Logger.Error("CRL refresh failed; will retry", "err", err, "retry_in", s.cfg.CRLCheck)
			}
		}
	}
}

package imserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Server is the reference IM server: the interconnection interfaces over
// its own users, friends, messages and files, the delivery of what its
// users send, and its local admin API.
type Server struct {
	cfg          Config
	log          *slog.Logger
	id           *identity
	self         string // serverId
	selfHostPort string // host:port of Address, for ids of the form user@host:port

	st       *imstore.Store
	files    *files
	policy   *httpsig.Policy
	policyMu sync.Mutex // orders SetPolicy's store write and its taking effect
	dir      *directory
	resolver *httpsig.CachingResolver
	crl      *httpsig.CRLHolder
	verifier *httpsig.Verifier
	peers    *client.Client
	out      *delivery
	// duplicateConflicts counts the S1 messages refused because their
	// messageID was stored with other content (since the start).
	duplicateConflicts atomic.Int64
	// deliveries counts delivery attempts by result (ops.go).
	deliveries *prometheus.CounterVec
	// groupMu orders the changes of this server's groups (writers) and the
	// fan-out of their messages (readers): groups.go.
	groupMu sync.RWMutex
	// outbound carries every call this server makes (to peers and to the
	// management server); its idle connections are closed on shutdown, so
	// that no peer waits for a connection we opened and will never use.
	outbound *http.Transport

	httpSrv  *http.Server
	ln       net.Listener
	adminSrv *http.Server
	adminLn  net.Listener

	closeOnce sync.Once
	closeErr  error

	mu       sync.Mutex
	running  bool          // Run was called
	stopping bool          // Shutdown was called
	stop     chan struct{} // closed by Shutdown
	done     chan struct{} // closed when Run returns
}

// Timeouts and bounds of the HTTP servers.
const (
	readTimeout     = time.Minute // request bodies are small (MaxRequestBody)
	idleTimeout     = 2 * time.Minute
	maxHeaderBytes  = 64 << 10
	shutdownTimeout = 5 * time.Second
	firstCRLTimeout = 5 * time.Second
)

// New prepares a server: it loads the identity, opens the store (failing
// with imstore.ErrLocked when another process has it), and listens on both
// the interconnection address and the admin socket, so that Addr is known
// before Run. It makes no call to the management server yet. Call Run, or
// Close if Run is never called.
func New(cfg Config) (_ *Server, err error) {
	if cfg, err = cfg.withDefaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(Dir(cfg.DataDir), 0o700); err != nil {
		return nil, fmt.Errorf("imserver: %w", err)
	}
	id, err := loadIdentity(cfg)
	if err != nil {
		return nil, fmt.Errorf("imserver: %w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, id: id, self: id.serverID, stop: make(chan struct{}), done: make(chan struct{})}
	if s.selfHostPort, err = hostPort(cfg.Address); err != nil {
		return nil, fmt.Errorf("imserver: address: %w", err)
	}
	if a, err := wire.ParseAddress("x@" + s.selfHostPort); err == nil {
		s.selfHostPort = a.Domain() // the canonical spelling ids are compared in
	}
	if s.st, err = imstore.Open(DBPath(cfg.DataDir), imstore.Options{}); err != nil {
		return nil, fmt.Errorf("imserver: %w", err)
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	blobs, err := imstore.NewBlobStore(FilesDir(cfg.DataDir))
	if err != nil {
		return nil, fmt.Errorf("imserver: %w", err)
	}
	s.files = &files{blobs: blobs, digests: map[string][]byte{}}
	if s.policy, err = loadPolicy(s.st, cfg.Policy, cfg.MgmtServerID); err != nil {
		return nil, fmt.Errorf("imserver: policy: %w", err)
	}
	if err := s.trust(); err != nil {
		return nil, fmt.Errorf("imserver: %w", err)
	}
	s.out = newDelivery(s)
	if err := s.listen(); err != nil {
		return nil, fmt.Errorf("imserver: %w", err)
	}
	return s, nil
}

// trust builds the verifier of incoming calls, the client of outgoing
// ones, and what both rely on: the directory, its cache and the CRL.
func (s *Server) trust() error {
	cfg := s.cfg
	s.dir = newDirectory(s.st, cfg.MgmtServerID, time.Duration(cfg.DirectoryRefresh), s.log)
	s.resolver = httpsig.NewCachingResolver(s.dir, httpsig.CacheOptions{})
	s.dir.cache = s.resolver
	s.dir.changed = s.retryParked
	src := &crlSource{path: crlPath(cfg.DataDir), log: s.log}
	s.crl = httpsig.NewCRLHolder(src, httpsig.CRLOptions{Refresh: time.Duration(cfg.CRLRefresh), Logger: s.log})
	verify := httpsig.Options{Self: s.self, Resolver: s.resolver, Roots: s.id.roots, CRL: s.crl, Policy: s.policy, Logger: s.log}
	s.outbound = http.DefaultTransport.(*http.Transport).Clone()
	s.outbound.DisableCompression = true // signatures cover the bodies as sent
	s.outbound.ResponseHeaderTimeout = 30 * time.Second
	// Keep a connection for every call in flight to one peer: the delivery
	// window, and as many again for calls made for users. Go keeps only 2
	// idle per host and closes the others as each call ends, so a busy
	// destination would dial a new connection for most calls.
	s.outbound.MaxIdleConnsPerHost = 2 * cfg.Delivery.Window
	var err error
	if s.peers, err = client.New(client.Config{Signer: s.id.signer, Verify: verify, Base: s.outbound}); err != nil {
		return err
	}
	// Its signed calls check the management server against the CRL this
	// server keeps, and fetch that again when it has expired.
	if s.dir.mgmt, err = mgmtclient.NewPublic(mgmtclient.PublicOptions{
		BaseURL: cfg.MgmtURL, MgmtID: cfg.MgmtServerID, Root: s.id.root, Key: s.id.key, Cert: s.id.cert, CRL: s.crl,
		HTTP: &http.Client{Transport: s.outbound, Timeout: 30 * time.Second},
	}); err != nil {
		return err
	}
	src.mgmt = s.dir.mgmt
	verify.Signer, verify.MaxBody = s.id.signer, cfg.MaxRequestBody
	s.verifier, err = httpsig.NewVerifier(verify)
	return err
}

// listen opens the interconnection listener and the admin socket.
func (s *Server) listen() error {
	s.ln = s.cfg.Listener
	if s.ln == nil {
		ln, err := net.Listen("tcp", s.cfg.Listen)
		if err != nil {
			return fmt.Errorf("listening on %s: %w (is another server using it? set listen in config.json or --im-addr)", s.cfg.Listen, err)
		}
		s.ln = ln
	}
	s.httpSrv = &http.Server{
		Handler:           s.instrument(s.verifier.Middleware(s.routes())),
		ReadHeaderTimeout: time.Duration(s.cfg.ReadHeaderTimeout),
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return s.listenAdmin()
}

// ServerID is this server's serverId.
func (s *Server) ServerID() string { return s.self }

// Addr is the address the interconnection interfaces listen on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Run serves until ctx ends or Shutdown is called, then stops gracefully:
// it stops accepting calls, lets those in progress finish (a few seconds
// at most), stops the delivery workers and the background refreshes, and
// closes the store. Undelivered messages stay in the outbox for the next
// start. Run can be called once; after Shutdown it returns at once.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	switch {
	case s.running:
		s.mu.Unlock()
		return errors.New("imserver: Run called twice")
	case s.stopping:
		s.mu.Unlock()
		return nil
	}
	s.running = true
	s.mu.Unlock()
	defer close(s.done)
	defer s.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.stop:
			cancel()
		case <-ctx.Done():
		}
	}()

	first, cancelFirst := context.WithTimeout(ctx, firstCRLTimeout)
	if err := s.crl.Refresh(first); err != nil {
		s.log.Warn("no CRL at start; calls are refused with crl_unavailable until one is fetched", "err", err)
	}
	cancelFirst()

	errc := make(chan error, 2)
	go func() { errc <- s.serveHTTP() }()
	go func() { errc <- s.adminSrv.Serve(s.adminLn) }()
	var wg sync.WaitGroup
	wg.Go(func() { s.crl.Run(ctx) })
	wg.Go(func() { s.dir.run(ctx) })
	wg.Go(func() { s.out.run(ctx) })
	wg.Go(func() { s.pruneLoop(ctx) })
	s.log.Info("IM server running", "serverId", s.self, "listen", s.ln.Addr().String(), "address", s.cfg.Address, "admin", SocketPath(s.cfg.DataDir))

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		err = fmt.Errorf("imserver: serving stopped: %w", err)
	}
	cancel()
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer scancel()
	s.httpSrv.Shutdown(sctx)
	s.adminSrv.Shutdown(sctx)
	wg.Wait()
	s.outbound.CloseIdleConnections()
	s.log.Info("IM server stopped", "serverId", s.self)
	return err
}

func (s *Server) serveHTTP() error {
	var err error
	if s.cfg.TLSCert != "" {
		err = s.httpSrv.ServeTLS(s.ln, s.cfg.TLSCert, s.cfg.TLSKey)
	} else {
		err = s.httpSrv.Serve(s.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops the server and waits until Run has returned, or until
// ctx ends. Called before Run, it makes Run return at once; for a server
// never run, it is Close.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.stopping {
		s.stopping = true
		close(s.stop)
	}
	running := s.running
	s.mu.Unlock()
	if !running {
		return s.Close()
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close releases what New acquired: the listeners and the store. Run does
// it on return; call it only for a server that is not run.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.ln != nil {
			s.ln.Close()
		}
		if s.adminLn != nil {
			s.adminLn.Close()
		}
		if s.st != nil {
			s.closeErr = s.st.Close()
		}
	})
	return s.closeErr
}

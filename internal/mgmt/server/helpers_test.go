package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/etcdtest"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

var bg = context.Background()

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// mgmtProc is a management server running in this process on loopback.
type mgmtProc struct {
	*server.Server
	dataDir string
	cancel  context.CancelFunc
	done    chan error
}

func TestMain(m *testing.M) { etcdtest.Main(m) }

// etcdPrefixes keeps one etcd prefix per data directory, so that a server
// restarted on a data directory finds its registry again.
var etcdPrefixes sync.Map

// testCAPassword encrypts the CA in etcd, which holds CA keys only encrypted.
var testCAPassword = []byte("test CA password")

// withStore completes cfg with its store: the data directory (bbolt) or,
// in the etcd pass (etcdtest.Main), the data directory's prefix of the
// embedded etcd, with an encrypted CA.
func withStore(cfg server.Config) server.Config {
	e := etcdtest.Current()
	if e == nil {
		return cfg
	}
	prefix, _ := etcdPrefixes.LoadOrStore(cfg.DataDir, e.Prefix())
	cfg.Etcd = &store.EtcdConfig{Endpoints: []string{e.Endpoint}, Prefix: prefix.(string)}
	if cfg.InitCA != nil {
		init := *cfg.InitCA
		init.Password = testCAPassword
		cfg.InitCA = &init
	}
	cfg.CAPassword = testCAPassword
	return cfg
}

// bboltPass skips a test of the data directory's bbolt file (its lock,
// opening it directly) in the etcd pass.
func bboltPass(t testing.TB) {
	if etcdtest.Current() != nil {
		t.Skip("a test of the bbolt data directory; it ran in the bbolt pass")
	}
}

// startMgmt runs a management server on dataDir (creating its CA on the
// first start) with a fast notification backoff.
func startMgmt(t testing.TB, dataDir string) *mgmtProc {
	t.Helper()
	return startMgmtWith(t, dataDir, func(*server.Config) {})
}

// startMgmtWith is startMgmt with edit's changes to the configuration.
func startMgmtWith(t testing.TB, dataDir string, edit func(*server.Config)) *mgmtProc {
	t.Helper()
	cfg := server.Config{
		DataDir:  dataDir,
		Addr:     "127.0.0.1:0",
		InitCA:   &ca.InitOptions{CommonName: "e2e root", ServerName: "e2e mgmt"},
		Logger:   quiet(),
		Notifier: server.NotifierOptions{BaseBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Timeout: 5 * time.Second},
	}
	edit(&cfg)
	s, err := server.New(withStore(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &mgmtProc{Server: s, dataDir: dataDir, cancel: cancel, done: make(chan error, 1)}
	go func() { m.done <- s.Serve(ctx) }()
	t.Cleanup(m.stop)
	return m
}

// stop shuts the server down and waits until its store is closed.
func (m *mgmtProc) stop() {
	if m.cancel == nil {
		return
	}
	m.cancel()
	<-m.done
	m.cancel = nil
}

func (m *mgmtProc) admin(t testing.TB) *client.Admin {
	a := client.NewAdmin(mgmt.SocketPath(m.dataDir))
	t.Cleanup(func() { a.Close() })
	return a
}

func (m *mgmtProc) root() *smx509.Certificate { return m.CA().Root.Cert }

// public is a client with no identity, for the unauthenticated calls.
func (m *mgmtProc) public(t testing.TB) *client.Public {
	return m.as(t, nil, nil, "")
}

// as is a client signing as a registered server (cert set) or an
// applicant (cert nil, serverID set).
func (m *mgmtProc) as(t testing.TB, key *sm2.PrivateKey, cert *smx509.Certificate, serverID string) *client.Public {
	t.Helper()
	p, err := client.NewPublic(client.PublicOptions{BaseURL: m.URL(), Root: m.root(), Key: key, Cert: cert, ServerID: serverID})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newKey(t testing.TB) *sm2.PrivateKey {
	t.Helper()
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func csrPEM(t testing.TB, key *sm2.PrivateKey, id string) string {
	t.Helper()
	der, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: id, ServerName: id + " IM"})
	if err != nil {
		t.Fatal(err)
	}
	return string(pki.EncodeCSRPEM(der))
}

func submitReq(t testing.TB, key *sm2.PrivateKey, id, address string) api.SubmitRequest {
	return api.SubmitRequest{
		ServerID: id, ServerName: id + " IM", ServerAddress: address,
		ContactName: "Ops " + id, ContactEmail: "ops@" + id + ".example.com", ContactMobile: "+86 135-0000-1111",
		ServerType: "imictl", Area: "CN", OwnerID: "owner-" + id, CSR: csrPEM(t, key, id),
	}
}

// imStub is the IM server side of M3, as a real peer runs it: it verifies
// the management server's signed call with httpsig and answers signed. It
// records the serverIds it was told about. It can be stopped and started
// again on the same address.
type imStub struct {
	addr string

	mu      sync.Mutex
	srv     *httptest.Server
	handler http.Handler
	got     []string
}

func newStub(t testing.TB) *imStub {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &imStub{addr: ln.Addr().String()}
	s.serve(ln)
	t.Cleanup(s.stop)
	return s
}

func (s *imStub) URL() string { return "http://" + s.addr }

func (s *imStub) serve(ln net.Listener) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.handler
		s.mu.Unlock()
		if h == nil {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
}

func (s *imStub) stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// start listens again on the same address.
func (s *imStub) start(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	s.serve(ln)
}

// become makes the stub answer as serverID with its key and certificate,
// trusting the management server m.
func (s *imStub) become(t testing.TB, m *mgmtProc, key *sm2.PrivateKey, cert *smx509.Certificate) {
	t.Helper()
	signer, err := httpsig.NewSigner(key, cert)
	if err != nil {
		t.Fatal(err)
	}
	roots := smx509.NewCertPool()
	roots.AddCert(m.root())
	c := m.CA()
	v, err := httpsig.NewVerifier(httpsig.Options{
		Self:              signer.ServerID(),
		Resolver:          httpsig.StaticResolver{c.SelfID: {ServerID: c.SelfID, Certificate: c.Self}},
		Roots:             roots,
		NoRevocationCheck: true, // the CRL path is tested by the management server's own verifier
		Signer:            signer,
		Logger:            quiet(),
	})
	if err != nil {
		t.Fatal(err)
	}
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin, _ := httpsig.OriginFrom(r.Context())
		body, _ := io.ReadAll(r.Body)
		var req api.ReceiveNotifyRequest
		if !strings.HasSuffix(r.URL.Path, mgmt.PathReceiveNotify) || origin != c.SelfID || json.Unmarshal(body, &req) != nil {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(api.Fail("bad_notify", "unexpected call"))
			return
		}
		s.mu.Lock()
		s.got = append(s.got, req.ServerID)
		s.mu.Unlock()
		json.NewEncoder(w).Encode(api.OK())
	}))
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
}

// told reports how many times the stub was told about serverID.
func (s *imStub) told(serverID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.got {
		if g == serverID {
			n++
		}
	}
	return n
}

// eventually polls cond every 10ms for at most 10s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	// 30 s: room for a machine loaded by other work; a passing wait
	// returns as soon as cond holds.
	for range 3000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting until %s", what)
}

// authReason is the reason of an *httpsig.AuthError, "" for other errors.
func authReason(err error) httpsig.Reason {
	var ae *httpsig.AuthError
	if errors.As(err, &ae) {
		return ae.Reason
	}
	return ""
}

// mgmtReason is the reason of a *mgmt.Error, "" for other errors.
func mgmtReason(err error) string {
	var e *mgmt.Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

package imserver

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// testWorld is one management stand-in (clienttest.Mgmt: real signatures,
// real certificates of a real test CA) and the servers registered with it.
type testWorld struct {
	ca   *clienttest.CA
	mgmt *clienttest.Mgmt
}

func newWorld(t testing.TB) *testWorld {
	ca := clienttest.NewCA(t)
	return &testWorld{ca: ca, mgmt: clienttest.NewMgmt(t, ca)}
}

// testServer is a real imserver.Server on loopback with its data directory.
type testServer struct {
	*Server
	id      *clienttest.Server
	dataDir string
	url     string
	stop    func()
}

// server starts an IM server named id, registered with status 0.
func (w *testWorld) server(t testing.TB, id string, tweak ...func(*Config)) *testServer {
	t.Helper()
	ident := w.ca.Server(t, id)
	dataDir := t.TempDir()
	w.ca.WriteFiles(t, ident, IdentityDir(dataDir), nil)
	ts := &testServer{id: ident, dataDir: dataDir}
	ts.start(t, w, tweak...)
	w.mgmt.Register(ident, ts.url, httpsig.StatusNormal)
	return ts
}

// start runs the server (again, after stop) on a fresh loopback port.
func (ts *testServer) start(t testing.TB, w *testWorld, tweak ...func(*Config)) {
	t.Helper()
	var ln net.Listener
	var err error
	if ts.url == "" {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err == nil {
			ts.url = "http://" + ln.Addr().String()
		}
	} else {
		ln, err = listenAgain(ts.url) // a restart keeps its registered address
	}
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		DataDir: ts.dataDir, Address: ts.url, MgmtURL: w.mgmt.URL, Listener: ln,
		Logger:   slog.New(slog.DiscardHandler),
		Delivery: DeliveryConfig{RetryBase: Duration(20 * time.Millisecond), RetryMax: Duration(200 * time.Millisecond)},
	}
	for _, f := range tweak {
		f(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = s
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	ts.stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}
	t.Cleanup(ts.stopOnce)
}

// listenAgain listens on the host:port of url, retrying briefly while the
// previous listener's port is released.
func listenAgain(url string) (net.Listener, error) {
	hp, err := hostPort(url)
	if err != nil {
		return nil, err
	}
	var ln net.Listener
	for range 50 {
		if ln, err = net.Listen("tcp", hp); err == nil {
			return ln, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, err
}

func (ts *testServer) stopOnce() {
	if ts.stop != nil {
		stop := ts.stop
		ts.stop = nil
		stop()
	}
}

// addUser adds a local user or fails the test.
func (ts *testServer) addUser(t testing.TB, u imstore.User) {
	t.Helper()
	if _, err := ts.st.AddUser(u); err != nil {
		t.Fatal(err)
	}
}

// caller is a registered server that calls the server under test with
// the sns client; its own interfaces are a clienttest.Peer answering OK.
type caller struct {
	id     *clienttest.Server
	client *client.Client
	peer   *clienttest.Peer
}

// caller registers a server id with status and returns a client of it.
func (w *testWorld) caller(t testing.TB, id string, status int, register bool) *caller {
	t.Helper()
	ident := w.ca.Server(t, id)
	c := &caller{id: ident}
	c.peer = clienttest.NewPeer(t, w.ca, ident, w.mgmt, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		clienttest.WriteJSON(rw, http.StatusOK, `{"code":0,"error":""}`)
	}))
	if register {
		w.mgmt.Register(ident, c.peer.URL, status)
	}
	c.client = w.client(t, ident.Signer, nil)
	return c
}

// client calls the servers as signer, through base (nil: the default
// transport), checking answers against the world's directory and CA.
func (w *testWorld) client(t testing.TB, signer *httpsig.Signer, base http.RoundTripper) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Signer: signer, Base: base, Verify: httpsig.Options{
		Resolver: w.mgmt, Roots: w.ca.Roots, CRL: w.ca.CRLProvider(t), Logger: slog.New(slog.DiscardHandler),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// to is the peer of a test server, for a caller.
func (ts *testServer) peer() client.Peer { return client.Peer{ServerID: ts.self, BaseURL: ts.url} }

// eventually polls cond every 10ms, at most 10s (generous for a loaded
// machine; a passing run takes milliseconds).
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
	t.Fatalf("timed out waiting for %s", what)
}

// Package devfed runs a whole local federation in one process, for a
// newcomer's first steps, for CI jobs and for tests (imictl serve --dev,
// imictl conformance --dev): the management server and N reference IM
// servers, each in its own data directory, registered and approved, each
// with a demo user. Every key is unencrypted: it is for trying out, never
// for real use.
package devfed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// Options say where the federation lives. Zero values take the defaults.
type Options struct {
	// DataDir holds the management server (DataDir/mgmt) and each IM
	// server (DataDir/<serverId>/im). Required.
	DataDir string
	// Servers is how many IM servers run; default 2.
	Servers int
	// MgmtAddr is where the management server listens; default
	// 127.0.0.1:8440. Port 0 picks a free one.
	MgmtAddr string
	// IMAddr is where the first IM server listens, the next ones on the
	// following ports; default 127.0.0.1:8441. Port 0 picks a free port
	// for each. A later start reuses the addresses of the first.
	IMAddr string
	Logger *slog.Logger // default: discard
}

// DefaultServers is how many IM servers a federation has by default.
const DefaultServers = 2

// MaxServers bounds Options.Servers: a demonstration, not a load test.
const MaxServers = 16

// Member is one IM server of the federation.
type Member struct {
	ServerID string `json:"serverId"`
	URL      string `json:"url"`
	DataDir  string `json:"dataDir"` // its --data-dir for imictl im
	User     string `json:"user"`    // the demo user's local id
	// Key, Cert and Root are its identity files, which imictl commands
	// (probe, sns, conformance) can sign with.
	Key  string `json:"key"`
	Cert string `json:"cert"`
	Root string `json:"root"`
}

// Federation is a running federation.
type Federation struct {
	DataDir    string   `json:"dataDir"`
	MgmtURL    string   `json:"mgmtUrl"`
	MgmtID     string   `json:"mgmtServerId"`
	RootSHA256 string   `json:"rootSha256"`
	Members    []Member `json:"members"`

	cancel context.CancelFunc
	wg     sync.WaitGroup
	errMu  sync.Mutex
	err    error
	failed chan struct{} // closed when a server stops on its own
	once   sync.Once
}

// ServerID is the serverId of the i-th IM server (from 1).
func ServerID(i int) string { return "dev-" + strconv.Itoa(i) }

// demoUsers name the demo user of each IM server, in order.
var demoUsers = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"}

func demoUser(i int) string {
	if i <= len(demoUsers) {
		return demoUsers[i-1]
	}
	return "user" + strconv.Itoa(i)
}

// Start starts the federation and returns once every server answers and
// every demo user exists; ctx bounds the start only. Stop it with Close.
func Start(ctx context.Context, o Options) (_ *Federation, err error) {
	if o.DataDir == "" {
		return nil, errors.New("devfed: a data directory is required")
	}
	if o.Servers == 0 {
		o.Servers = DefaultServers
	}
	if o.Servers < 1 || o.Servers > MaxServers {
		return nil, fmt.Errorf("devfed: %d IM servers: want 1 to %d", o.Servers, MaxServers)
	}
	if o.MgmtAddr == "" {
		o.MgmtAddr = server.DefaultAddr
	}
	if o.IMAddr == "" {
		o.IMAddr = imserver.DefaultListen
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	f := &Federation{DataDir: o.DataDir, cancel: cancel, failed: make(chan struct{})}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	m, err := startMgmt(o)
	if err != nil {
		return nil, err
	}
	f.MgmtURL, f.MgmtID, f.RootSHA256 = m.URL(), m.CA().SelfID, fingerprint(m.CA().Root.Cert.Raw)
	f.run("management server", func() error { return m.Serve(runCtx) })
	for i := 1; i <= o.Servers; i++ {
		member, srv, err := startIM(ctx, o, m, i)
		if err != nil {
			return nil, err
		}
		f.Members = append(f.Members, member)
		f.run(member.ServerID, func() error { return srv.Run(runCtx) })
		if err := addDemoUser(ctx, member); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// startMgmt opens the management server, creating its CA (unencrypted) on
// the first start, and binds its listener.
func startMgmt(o Options) (*server.Server, error) {
	cfg := server.Config{DataDir: o.DataDir, Addr: o.MgmtAddr, Logger: o.Logger.With("server", ca.DefaultServerID)}
	if _, err := os.Stat(filepath.Join(mgmt.CADir(o.DataDir), ca.RootCertFile)); errors.Is(err, os.ErrNotExist) {
		cfg.InitCA = &ca.InitOptions{CommonName: "imictl dev federation root", ServerName: "imictl dev management server"}
	}
	m, err := server.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("devfed: starting the management server: %w", err)
	}
	if err := m.Listen(); err != nil {
		m.Close()
		return nil, fmt.Errorf("devfed: starting the management server: %w", err)
	}
	return m, nil
}

// imAddr is where the i-th IM server listens on its first start.
func imAddr(base string, i int) (string, error) {
	host, p, err := net.SplitHostPort(base)
	if err != nil {
		return "", fmt.Errorf("devfed: IM address %q: %w", base, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n+i-1 > 65535 {
		return "", fmt.Errorf("devfed: IM address %q: bad port", base)
	}
	if n == 0 {
		return base, nil
	}
	return net.JoinHostPort(host, strconv.Itoa(n+i-1)), nil
}

// addDemoUser gives the member its demo user, unless a former start did.
func addDemoUser(ctx context.Context, m Member) error {
	c := adminclient.New(imserver.SocketPath(m.DataDir))
	defer c.Close()
	name := strings.ToUpper(m.User[:1]) + m.User[1:]
	_, err := c.AddUser(ctx, adminapi.NewUser{UserID: m.User, Name: name})
	if err != nil && !errors.Is(err, imstore.ErrExists) {
		return fmt.Errorf("devfed: adding the demo user %s to %s: %w", m.User, m.ServerID, err)
	}
	return nil
}

// run serves one server in the background; one stopping on its own stops
// the federation.
func (f *Federation) run(name string, serve func() error) {
	f.wg.Go(func() {
		err := serve()
		f.errMu.Lock()
		if err != nil && f.err == nil {
			f.err = fmt.Errorf("%s: %w", name, err)
		}
		f.errMu.Unlock()
		f.once.Do(func() { close(f.failed) })
		f.cancel()
	})
}

// Wait blocks until ctx ends or a server stops on its own, then stops the
// federation and returns the first server's error.
func (f *Federation) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
	case <-f.failed:
	}
	return f.Close()
}

// Close stops every server gracefully and waits for them.
func (f *Federation) Close() error {
	f.cancel()
	f.wg.Wait()
	f.errMu.Lock()
	defer f.errMu.Unlock()
	return f.err
}

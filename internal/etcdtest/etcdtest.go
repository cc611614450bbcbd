// Package etcdtest runs etcd embedded in a test process (one member on
// 127.0.0.1, free ports, a temporary directory), so that the management
// store's tests run against etcd as well as bbolt with no external binary.
//
// A test package that runs its tests on both stores calls Main from its
// TestMain: the tests run once on bbolt, then once more with Current set
// to the embedded etcd. Test helpers that open a store look at Current.
package etcdtest

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Server is an embedded etcd member.
type Server struct {
	etcd     *embed.Etcd
	Endpoint string // its client URL, http://127.0.0.1:port
	prefixes atomic.Int64
}

// Start runs an etcd member with its data in dir. It waits for the member
// to be ready (at most 30s).
func Start(dir string) (*Server, error) {
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.Name = "test"
	cfg.UnsafeNoFsync = true // a test's data need not survive a power cut
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	client, err := freeURL()
	if err != nil {
		return nil, err
	}
	peer, err := freeURL()
	if err != nil {
		return nil, err
	}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*client}, []url.URL{*client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*peer}, []url.URL{*peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, err
	case <-time.After(30 * time.Second):
		e.Close()
		return nil, fmt.Errorf("etcd in %s not ready after 30s", dir)
	}
	return &Server{etcd: e, Endpoint: client.String()}, nil
}

// freeURL is http://127.0.0.1:port with a port free a moment ago.
func freeURL() (*url.URL, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	return url.Parse("http://" + ln.Addr().String())
}

// Client dials the member; the test closes it.
func (s *Server) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{s.Endpoint}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// Prefix is a key prefix no other caller got, so that tests sharing the
// member never see each other's keys.
func (s *Server) Prefix() string {
	return "/test/" + strconv.FormatInt(s.prefixes.Add(1), 10) + "/"
}

// Close stops the member.
func (s *Server) Close() { s.etcd.Close() }

var current *Server

// Current is the embedded etcd during Main's etcd pass, nil during the
// bbolt pass (and in packages that don't use Main).
func Current() *Server { return current }

// Main runs m's tests on bbolt, then, if that passed, again with Current
// set to an embedded etcd, and exits. If etcd cannot start, the etcd pass
// is skipped with the reason printed.
func Main(m *testing.M) {
	if code := m.Run(); code != 0 {
		os.Exit(code)
	}
	dir, err := os.MkdirTemp("", "etcdtest-")
	if err != nil {
		fmt.Println("etcdtest: skipping the etcd pass, no temporary directory:", err)
		os.Exit(0)
	}
	s, err := Start(dir)
	if err != nil {
		os.RemoveAll(dir)
		fmt.Println("etcdtest: skipping the etcd pass, embedded etcd cannot start:", err)
		os.Exit(0)
	}
	fmt.Println("etcdtest: the same tests again, on embedded etcd at", s.Endpoint)
	current = s
	code := m.Run()
	current = nil
	s.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

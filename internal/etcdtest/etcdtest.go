// Package etcdtest runs etcd embedded in a test process (one member on
// 127.0.0.1, free ports, a temporary directory), so that the management
// store's tests run against etcd as well as bbolt with no external binary.
//
// A test package that runs its tests on both stores calls Main from its
// TestMain: the tests run once on bbolt, then once more with Current set
// to the embedded etcd. Test helpers that open a store look at Current.
package etcdtest

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
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

// Limits of a member; zero fields keep etcd's defaults (128 operations and
// 1.5 MiB per transaction).
type Limits struct {
	MaxTxnOps       uint
	MaxRequestBytes uint
	// Fsync makes the member fsync as a production one does (benchmarks);
	// tests skip it: their data need not survive a power cut.
	Fsync bool
	// ClientTLS, when set, serves clients over TLS (https://) with these
	// files, asking for a client certificate signed by its TrustedCAFile.
	ClientTLS *transport.TLSInfo
}

// Recommended are generous limits (--max-txn-ops 50000
// --max-request-bytes 33554432), for tests that store many records in one
// transaction (ImportServers); the management store's changes and their
// notifications fit etcd's defaults.
var Recommended = Limits{MaxTxnOps: 50000, MaxRequestBytes: 32 << 20}

// Start runs an etcd member with its data in dir and the Recommended
// limits, without fsync. It waits for the member to be ready (at most 30s).
func Start(dir string) (*Server, error) { return StartWith(dir, Recommended) }

// StartWith is Start with other limits.
func StartWith(dir string, limits Limits) (*Server, error) {
	cfg := embed.NewConfig()
	if limits.MaxTxnOps > 0 {
		cfg.MaxTxnOps = limits.MaxTxnOps
	}
	if limits.MaxRequestBytes > 0 {
		cfg.MaxRequestBytes = limits.MaxRequestBytes
	}
	cfg.Dir = dir
	cfg.Name = "test"
	cfg.UnsafeNoFsync = !limits.Fsync
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	client, err := freeURL()
	if err != nil {
		return nil, err
	}
	if limits.ClientTLS != nil {
		client.Scheme = "https"
		cfg.ClientTLSInfo = *limits.ClientTLS
		cfg.ClientTLSInfo.ClientCertAuth = true
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
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{s.Endpoint}, DialTimeout: 5 * time.Second, MaxCallSendMsgSize: 64 << 20, Logger: zap.NewNop()})
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
// is skipped with the reason printed. When benchmarks run (-bench), the
// member fsyncs, as bbolt does, so that the two compare.
func Main(m *testing.M) {
	flag.Parse()
	limits := Recommended
	limits.Fsync = flag.Lookup("test.bench").Value.String() != ""
	if code := m.Run(); code != 0 {
		os.Exit(code)
	}
	dir, err := os.MkdirTemp("", "etcdtest-")
	if err != nil {
		fmt.Println("etcdtest: skipping the etcd pass, no temporary directory:", err)
		os.Exit(0)
	}
	s, err := StartWith(dir, limits)
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

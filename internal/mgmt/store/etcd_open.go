package store

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/imictl/imictl/internal/boltdb"
)

// DefaultEtcdPrefix is where in etcd the management store lives unless
// told otherwise; several registries can share a cluster under different
// prefixes.
const DefaultEtcdPrefix = "/imictl/mgmt/"

// EtcdConfig says how to reach the etcd cluster and where in it the store
// lives.
type EtcdConfig struct {
	// Endpoints are the cluster's client URLs, e.g. https://10.0.0.1:2379.
	Endpoints []string
	// Prefix of every key; default DefaultEtcdPrefix. It ends in "/".
	Prefix string
	// CAFile verifies the cluster's TLS certificates (https endpoints);
	// empty means the system's roots.
	CAFile string
	// CertFile and KeyFile are a TLS client certificate, for a cluster
	// started with --client-cert-auth.
	CertFile, KeyFile string
	// Username and Password authenticate to a cluster with auth enabled.
	Username, Password string
	// Timeout bounds each call to etcd; default 10s.
	Timeout time.Duration
}

// Dial connects to the cluster of c. The caller closes the client.
func (c EtcdConfig) Dial() (*clientv3.Client, error) {
	if len(c.Endpoints) == 0 {
		return nil, errors.New("no etcd endpoints: give --etcd-endpoints URL,... (e.g. http://127.0.0.1:2379)")
	}
	tlsConfig, err := c.tls()
	if err != nil {
		return nil, err
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   c.Endpoints,
		DialTimeout: 5 * time.Second,
		TLS:         tlsConfig,
		Username:    c.Username,
		Password:    c.Password,
		// Allow requests as big as etcd may be told to take (one
		// administrator's retry of a destination with many pending
		// notifications); imictl's others are far smaller.
		MaxCallSendMsgSize: 64 << 20,
		Logger:             zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to etcd at %s: %w; check --etcd-endpoints and the etcd credentials", strings.Join(c.Endpoints, ","), err)
	}
	return cli, nil
}

func (c EtcdConfig) tls() (*tls.Config, error) {
	secure := c.CAFile != "" || c.CertFile != ""
	for _, e := range c.Endpoints {
		secure = secure || strings.HasPrefix(e, "https://")
	}
	if !secure {
		return nil, nil
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return nil, errors.New("an etcd client certificate needs both --etcd-cert and --etcd-key")
	}
	info := transport.TLSInfo{CertFile: c.CertFile, KeyFile: c.KeyFile, TrustedCAFile: c.CAFile}
	if c.CertFile == "" && c.CAFile == "" {
		return &tls.Config{MinVersion: tls.VersionTLS12}, nil
	}
	cfg, err := info.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("the etcd TLS files: %w", err)
	}
	return cfg, nil
}

func (c EtcdConfig) prefix() string {
	if c.Prefix == "" {
		return DefaultEtcdPrefix
	}
	return strings.TrimSuffix(c.Prefix, "/") + "/"
}

// OpenEtcd opens the store under c's prefix through cli (which stays the
// caller's to close), writing the schema version into an empty prefix and
// refusing one written by a newer imictl. Several processes may open the
// same prefix at once: that is how management server replicas share one
// registry.
func OpenEtcd(cli *clientv3.Client, c EtcdConfig, opts Options) (*Store, error) {
	return openEtcd(cli, c, opts, false)
}

// DialEtcd dials c and opens the store; closing the store closes the
// client.
func DialEtcd(c EtcdConfig, opts Options) (*Store, error) {
	cli, err := c.Dial()
	if err != nil {
		return nil, err
	}
	s, err := openEtcd(cli, c, opts, true)
	if err != nil {
		cli.Close()
		return nil, err
	}
	return s, nil
}

func openEtcd(cli *clientv3.Client, c EtcdConfig, opts Options, owned bool) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	be := &etcdBackend{cli: cli, prefix: c.prefix(), timeout: c.Timeout, owned: owned,
		where: strings.Join(cli.Endpoints(), ",") + " under " + c.prefix()}
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()
	if _, err := cli.Get(ctx, be.prefix, clientv3.WithCountOnly()); err != nil {
		return nil, fmt.Errorf("cannot reach etcd at %s: %w; check --etcd-endpoints, the TLS files and the credentials", strings.Join(cli.Endpoints(), ","), err)
	}
	s := &Store{be: be, now: opts.Now, expandBatch: etcdExpandBatch}
	want := schema.Version()
	err := s.update(func(t *txn) error {
		meta := t.b(bucketMeta)
		have := uint64(0)
		if v := meta.Get(boltdb.SchemaKey); len(v) == 8 {
			have = boltdb.Btou(v)
		}
		switch {
		case have > want:
			return &SchemaTooNewError{Path: be.where, Name: schema.Name, File: have, Binary: want}
		case have == want:
			return nil
		case have == 1 || have == 2:
			// Schemas 2 and 3 add buckets (outbox_changes, nonces), which
			// in etcd are there as soon as a key is: entries already queued
			// per destination stay as they are.
			return meta.Put(boltdb.SchemaKey, boltdb.U64(want))
		case have > 0:
			return fmt.Errorf("the registry in etcd at %s has schema version %d, which this imictl cannot migrate to %d", be.where, have, want)
		case opts.ReadOnly:
			return fmt.Errorf("no management registry in etcd at %s: check --etcd-endpoints and --etcd-prefix, or start `imictl serve --mgmt --store etcd` once to create it", be.where)
		}
		return meta.Put(boltdb.SchemaKey, boltdb.U64(want))
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

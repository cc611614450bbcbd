package serve_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/etcdtest"
	"github.com/imictl/imictl/internal/mgmt"
)

// Two `serve --mgmt --store etcd` replicas, one configured by flags and
// one by its configuration file, serve one registry with one CA.
func TestServeReplicasOnEtcd(t *testing.T) {
	e, err := etcdtest.Start(t.TempDir())
	if err != nil {
		t.Skipf("embedded etcd cannot start here: %v", err)
	}
	defer e.Close()
	pwFile := filepath.Join(t.TempDir(), "ca-password")
	if err := os.WriteFile(pwFile, []byte("replica CA password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	a := startServe(t, dataDirOpts(dirA), "--mgmt", "--store", "etcd", "--etcd-endpoints", e.Endpoint, "--etcd-prefix", "/ha/",
		"--ca-password-file", pwFile, "--mgmt-addr", "127.0.0.1:0")
	config := `{"store": "etcd", "etcd": {"endpoints": ["` + e.Endpoint + `"], "prefix": "/ha/"}}`
	if err := os.MkdirAll(mgmt.Dir(dirB), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mgmt.Dir(dirB), "config.json"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	b := startServe(t, dataDirOpts(dirB), "--mgmt", "--ca-password-file", pwFile, "--mgmt-addr", "127.0.0.1:0")
	if a.RootSHA256 != b.RootSHA256 {
		t.Fatalf("the replicas have different roots: %s, %s", a.RootSHA256, b.RootSHA256)
	}
	if !strings.Contains(a.log.String(), "store=\"etcd "+e.Endpoint) {
		t.Errorf("the log does not say where the registry is:\n%s", a.log)
	}
	// The CA is in etcd, not in the data directories.
	if _, err := os.Stat(mgmt.CADir(dirA)); !os.IsNotExist(err) {
		t.Errorf("a replica wrote a CA directory: %v", err)
	}
	// What one replica's admin API changes, the other's shows.
	cmdtest.Run(t, dataDirOpts(dirA), "ca", "crl", "--regenerate", "-o", "json").Expect(t, 0)
	for _, dir := range []string{dirA, dirB} {
		res := cmdtest.Run(t, dataDirOpts(dir), "admin", "audit", "-o", "json")
		res.Expect(t, 0)
		if !strings.Contains(res.Stdout, `"crl.publish"`) {
			t.Errorf("the audit log through %s lacks the CRL publication:\n%s", dir, res.Stdout)
		}
	}
	if code := a.stop(); code != 0 {
		t.Fatalf("replica a exited with %d", code)
	}
	if code := b.stop(); code != 0 {
		t.Fatalf("replica b exited with %d", code)
	}
}

func TestServeEtcdFlagsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--store", "etcd"}, "needs --etcd-endpoints"},
		{[]string{"--store", "etcd", "--etcd-endpoints", "http://127.0.0.1:1", "--insecure"}, "--insecure is refused with --store etcd"},
		{[]string{"--etcd-endpoints", "http://127.0.0.1:1"}, "add --store etcd"},
		{[]string{"--store", "zookeeper"}, `invalid --store "zookeeper"`},
		{[]string{"--store", "etcd", "--etcd-endpoints", "http://127.0.0.1:1", "--etcd-user", "root"}, "needs --etcd-password-file"},
	} {
		res := cmdtest.Run(t, dataDirOpts(dir), append([]string{"serve", "--mgmt", "--mgmt-addr", "127.0.0.1:0"}, c.args...)...)
		res.Expect(t, 2)
		if !strings.Contains(res.Stderr, c.want) {
			t.Errorf("%v: stderr %q, want %q", c.args, res.Stderr, c.want)
		}
	}
}

package admin_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/etcdtest"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/store"
)

type migrated struct {
	Copied  store.Summary `json:"copied"`
	CAFiles []string      `json:"caFiles"`
}

func TestMigrateBboltToEtcdAndBack(t *testing.T) {
	e, err := etcdtest.Start(t.TempDir())
	if err != nil {
		t.Skipf("embedded etcd cannot start here: %v", err)
	}
	defer e.Close()
	w := newWorld(t, false, mgmttest.Options{Encrypted: true})
	from, to := "bbolt:"+w.DataDir, "etcd:"+e.Endpoint

	// A running server's registry is not copied: it may change meanwhile.
	res := w.run(t, "admin", "migrate", "--from", from, "--to", to)
	res.Expect(t, 6)
	if !strings.Contains(res.Stderr, "stop the management server of "+w.DataDir+" first") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	w.Stop()

	res = w.run(t, "admin", "migrate", "--from", from, "--to", to, "--etcd-prefix", "/m/", "-o", "json")
	res.Expect(t, 0)
	got := decode[migrated](t, res)
	if got.Copied.Servers != 2 || got.Copied.Applications != 4 || got.Copied.Certificates != 2 || got.Copied.ChangeClock == 0 || len(got.CAFiles) != 4 {
		t.Fatalf("copied %+v", got)
	}

	// The copy is the registry: same contents, same change clock, and the
	// CA loads from etcd with its password.
	src, err := store.Open(mgmt.DBPath(w.DataDir), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	want, err := src.Contents()
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	dst, err := store.OpenEtcd(e.Client(t), store.EtcdConfig{Prefix: "/m/"}, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	have, err := dst.Contents()
	if err != nil || !maps.Equal(want, have) {
		t.Fatalf("the etcd copy differs from the source (%v)", err)
	}
	if _, err := ca.LoadFrom(dst.SharedFiles(), []byte(mgmttest.CAPassword)); err != nil {
		t.Fatalf("the CA in etcd: %v", err)
	}

	// A target that holds a registry is refused, unless --force.
	res = w.run(t, "admin", "migrate", "--from", from, "--to", to, "--etcd-prefix", "/m/")
	res.Expect(t, 1)
	if !strings.Contains(res.Stderr, "already holds a registry or a CA: nothing was copied; --force clears it first") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	w.run(t, "admin", "migrate", "--from", from, "--to", to, "--etcd-prefix", "/m/", "--force").Expect(t, 0)

	// And back, into a new data directory a bbolt server opens.
	back := t.TempDir()
	w.run(t, "admin", "migrate", "--from", to, "--etcd-prefix", "/m/", "--to", "bbolt:"+back).Expect(t, 0)
	restored, err := store.Open(mgmt.DBPath(back), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if have, err := restored.Contents(); err != nil || !maps.Equal(want, have) {
		t.Fatalf("the copy back differs from the source (%v)", err)
	}
	if _, err := ca.Load(mgmt.CADir(back), []byte(mgmttest.CAPassword)); err != nil {
		t.Fatalf("the CA copied back: %v", err)
	}
}

func TestMigrateRefusals(t *testing.T) {
	e, err := etcdtest.Start(t.TempDir())
	if err != nil {
		t.Skipf("embedded etcd cannot start here: %v", err)
	}
	defer e.Close()
	w := newWorld(t, true, mgmttest.Options{}) // a CA with plain keys
	opts := w.Opts()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--from", "sqlite:x", "--to", "etcd:" + e.Endpoint}, 2, "want bbolt:DATA-DIR or etcd:URL[,URL...]"},
		{[]string{"--from", "bbolt:" + w.DataDir, "--to", "etcd:127.0.0.1:2379"}, 2, "is not an etcd client URL"},
		{[]string{"--from", "bbolt:" + w.DataDir, "--to", "bbolt:" + w.DataDir}, 2, "name two different stores"},
		{[]string{"--from", "bbolt:" + t.TempDir(), "--to", "etcd:" + e.Endpoint}, 1, "no management database at"},
		{[]string{"--from", "bbolt:" + w.DataDir, "--to", "etcd:" + e.Endpoint}, 1, "is not encrypted; a store shared by replicas holds CA keys only encrypted"},
	} {
		res := cmdtest.Run(t, opts, append([]string{"admin", "migrate"}, c.args...)...)
		res.Expect(t, c.code)
		if !strings.Contains(res.Stderr, c.want) {
			t.Errorf("%v: stderr %q, want %q", c.args, res.Stderr, c.want)
		}
	}
}

package devfed_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/devfed"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000
	os.Exit(m.Run())
}

// startTimeout bounds a start: a guard against a hang, not a measurement.
const startTimeout = 30 * time.Second

func start(t *testing.T, o devfed.Options) *devfed.Federation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	f, err := devfed.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Three IM servers, registered, approved, with their demo users; a second
// start on the same data reuses all of it, addresses included.
func TestFederation(t *testing.T) {
	dir := t.TempDir()
	o := devfed.Options{DataDir: dir, Servers: 3, MgmtAddr: "127.0.0.1:0", IMAddr: "127.0.0.1:0"}
	f := start(t, o)
	if len(f.Members) != 3 || f.MgmtID != "center-im" || len(f.RootSHA256) != 64 {
		t.Fatalf("%+v", f)
	}
	for i, m := range f.Members {
		if m.ServerID != devfed.ServerID(i+1) || m.DataDir != filepath.Join(dir, m.ServerID) {
			t.Errorf("member %d: %+v", i, m)
		}
		for _, p := range []string{m.Key, m.Cert, m.Root} {
			if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v %v", p, st, err)
			}
		}
		c := adminclient.New(imserver.SocketPath(m.DataDir))
		users, err := c.Users(context.Background())
		c.Close()
		if err != nil || len(users) != 1 || users[0].UserID != m.User {
			t.Errorf("%s: users %+v, %v", m.ServerID, users, err)
		}
	}
	if f.Members[0].User != "alice" || f.Members[1].User != "bob" {
		t.Errorf("demo users %s, %s", f.Members[0].User, f.Members[1].User)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	svc, db, err := mgmt.OpenLocal(dir, mgmt.LocalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	servers, err := svc.Servers(context.Background())
	db.Close()
	if err != nil || len(servers) != 3 {
		t.Fatalf("servers %+v, %v", servers, err)
	}

	again := start(t, o)
	defer again.Close()
	for i, m := range again.Members {
		if m.URL != f.Members[i].URL {
			t.Errorf("%s moved from %s to %s", m.ServerID, f.Members[i].URL, m.URL)
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []devfed.Options{{}, {DataDir: t.TempDir(), Servers: 17}, {DataDir: t.TempDir(), Servers: -1}} {
		if _, err := devfed.Start(context.Background(), o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

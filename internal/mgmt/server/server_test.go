package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/mgmt/store"
)

func TestAdminSocketIsPrivate(t *testing.T) {
	m := startMgmt(t, t.TempDir())
	for path, want := range map[string]os.FileMode{mgmt.Dir(m.dataDir): 0o700, mgmt.SocketPath(m.dataDir): 0o600} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, %v", path, fi.Mode(), err)
		}
	}
	// The admin commands find the running server through it.
	adm, closer, err := client.OpenAdmin(bg, m.dataDir, mgmt.LocalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	if _, ok := adm.(*client.Admin); !ok {
		t.Fatalf("got %T", adm)
	}
	m.stop()
	if _, err := os.Stat(mgmt.SocketPath(m.dataDir)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the socket outlives the server: %v", err)
	}
}

func TestSecondServerRefused(t *testing.T) {
	bboltPass(t)
	m := startMgmt(t, t.TempDir())
	_, err := server.New(server.Config{DataDir: m.dataDir, Addr: "127.0.0.1:0", Logger: quiet()})
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "another management server is running") {
		t.Fatalf("got %v", err)
	}
}

func TestServeStopsWithContext(t *testing.T) {
	bboltPass(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	dir := t.TempDir()
	s, err := server.New(server.Config{DataDir: dir, Addr: "127.0.0.1:0", InitCA: &ca.InitOptions{}, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		s.Close()
		t.Fatal(err)
	}
	go func() { done <- s.Serve(ctx) }()
	eventually(t, "the admin socket answers", func() bool {
		_, err := client.NewAdmin(mgmt.SocketPath(dir)).Health(bg)
		return err == nil
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The store is released: the database opens directly now.
	_, c, err := mgmt.OpenLocal(dir, mgmt.LocalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// The CRL is republished once half of its validity has passed.
func TestCRLRefresh(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, err := server.New(withStore(server.Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", InitCA: &ca.InitOptions{}, Logger: quiet(), Now: clock, CRLCheck: 5 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	defer func() { cancel(); <-done }()
	number := func() uint64 {
		c, err := s.Service().CRL(bg)
		if err != nil {
			return 0
		}
		return c.Number
	}
	eventually(t, "the first CRL", func() bool { return number() == 1 })
	mu.Lock()
	now = now.Add(13 * time.Hour)
	mu.Unlock()
	eventually(t, "a CRL past half its validity is replaced", func() bool { return number() == 2 })
	c, _ := s.Service().CRL(bg)
	if !c.ThisUpdate.Equal(clock()) {
		t.Fatalf("thisUpdate %v", c.ThisUpdate)
	}
}

func TestAdminBadQuery(t *testing.T) {
	m := startMgmt(t, t.TempDir())
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", mgmt.SocketPath(m.dataDir))
	}}}
	for _, path := range []string{mgmt.AdminNotifications + "?limit=abc", mgmt.AdminAudit + "?after=-1", mgmt.AdminCertificates + "?expiringBefore=tomorrow", "/admin/v2/requests"} {
		resp, err := hc.Get("http://admin" + path)
		if err != nil {
			t.Fatal(err)
		}
		var e mgmt.Error
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		want := map[bool]string{true: "not_found", false: "invalid_request"}[strings.HasPrefix(path, "/admin/v2")]
		if e.Reason != want || resp.StatusCode != e.HTTPStatus() {
			t.Errorf("%s: %d %+v", path, resp.StatusCode, e)
		}
	}
}

package server_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

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
	m := startMgmt(t, t.TempDir())
	_, err := server.New(server.Config{DataDir: m.dataDir, Addr: "127.0.0.1:0", Logger: quiet()})
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "another management server is running") {
		t.Fatalf("got %v", err)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	dir := t.TempDir()
	go func() {
		done <- server.Run(ctx, server.Config{DataDir: dir, Addr: "127.0.0.1:0", InitCA: &ca.InitOptions{}, Logger: quiet()})
	}()
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

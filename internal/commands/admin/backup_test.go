package admin_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/server"
)

type backupJSON struct {
	File     string              `json:"file"`
	Manifest mgmt.BackupManifest `json:"manifest"`
}

type restoreJSON struct {
	DataDir    string `json:"dataDir"`
	MovedAside string `json:"movedAside"`
	RootSHA256 string `json:"rootSHA256"`
}

// TestBackupRestore backs up a running and a stopped server, restores each
// into a new data directory, and serves from it: the copy is the registry
// as it was at the backup, with the same CA.
func TestBackupRestore(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := newWorld(t, m.stop, mgmttest.Options{})
			archive := filepath.Join(t.TempDir(), "mgmt.tgz")
			res := w.run(t, "admin", "backup", "--out", archive, "-o", "json")
			res.Expect(t, 0)
			b := decode[backupJSON](t, res)
			if b.File != archive || b.Manifest.DatabaseBytes == 0 || len(b.Manifest.CAFiles) != 4 {
				t.Errorf("backup = %+v", b)
			}
			if info, err := os.Stat(archive); err != nil || info.Mode().Perm() != 0o600 {
				t.Fatalf("archive: %v %v", info, err)
			}
			// A change after the backup is not in it.
			if !m.stop {
				w.run(t, "admin", "approve", "req-3").Expect(t, 0)
			}

			restored := filepath.Join(t.TempDir(), "restored")
			res = w.run(t, "admin", "restore", "--from", archive, "--data-dir", restored, "-o", "json")
			res.Expect(t, 0)
			r := decode[restoreJSON](t, res)
			sum := sha256.Sum256(w.CA().Root.Cert.Raw)
			if r.RootSHA256 != hex.EncodeToString(sum[:]) || r.DataDir != restored || r.MovedAside != "" {
				t.Errorf("restore = %+v", r)
			}
			if info, err := os.Stat(filepath.Join(mgmt.CADir(restored), "root.key")); err != nil || info.Mode().Perm() != 0o600 {
				t.Errorf("restored root key: %v %v", info, err)
			}

			serveFrom(t, restored)
			opts := cmdtest.Options{Env: map[string]string{cmdutil.DataDirEnv: restored}}
			apps := decode[[]struct{ ID, State string }](t, cmdtest.Run(t, opts, "admin", "requests", "-o", "json"))
			if len(apps) != 2 || apps[0].ID != "req-3" || apps[0].State != "pending" {
				t.Errorf("restored pending requests = %+v: want req-3 (approved only after the backup) and req-4", apps)
			}
			servers := decode[[]struct{ ServerID string }](t, cmdtest.Run(t, opts, "admin", "servers", "-o", "json"))
			if len(servers) != 2 || servers[0].ServerID != "alpha-im" {
				t.Errorf("restored servers = %+v", servers)
			}
		})
	}
}

// serveFrom runs a management server on dataDir until the test ends.
func serveFrom(t *testing.T, dataDir string) {
	t.Helper()
	srv, err := server.New(server.Config{DataDir: dataDir, Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("serving the restored data: %v", err)
	}
	if err := srv.Listen(); err != nil {
		srv.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

// TestRestoreRefusals: a bad archive, an occupied or running target, and
// a missing flag each get a clear error and change nothing.
func TestRestoreRefusals(t *testing.T) {
	w := newWorld(t, false, mgmttest.Options{})
	archive := filepath.Join(t.TempDir(), "mgmt.tgz")
	w.run(t, "admin", "backup", "--out", archive).Expect(t, 0)
	good, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}

	// Onto the running server, even with --force: refused, locked.
	res := w.run(t, "admin", "restore", "--from", archive, "--force")
	res.Expect(t, 6)
	if !strings.Contains(res.Stderr, "stop the server before restoring") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	// Onto the stopped server without --force: refused, unchanged.
	w.Stop()
	before, _ := os.ReadFile(mgmt.DBPath(w.DataDir))
	res = w.run(t, "admin", "restore", "--from", archive)
	res.Expect(t, 1)
	if !strings.Contains(res.Stderr, "already holds a management server") || !strings.Contains(res.Stderr, "--force") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	if after, _ := os.ReadFile(mgmt.DBPath(w.DataDir)); !bytes.Equal(before, after) {
		t.Error("a refused restore changed the database")
	}
	// With --force the current data is moved aside, not lost.
	res = w.run(t, "admin", "restore", "--from", archive, "--force", "-o", "json")
	res.Expect(t, 0)
	r := decode[restoreJSON](t, res)
	if kept, err := os.ReadFile(filepath.Join(r.MovedAside, "mgmt.db")); err != nil || !bytes.Equal(kept, before) {
		t.Errorf("moved aside %q: %v", r.MovedAside, err)
	}

	damaged := append([]byte(nil), good...)
	damaged[len(damaged)/2] ^= 0xff
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"not an archive", "not a backup made by imictl admin backup", []byte("hello")},
		{"damaged", "the backup archive", damaged},
		{"path traversal", `unexpected entry "ca/../../evil"`, rewrite(t, good, "ca/root.crt", "ca/../../evil")},
		{"extra entry", `unexpected entry "mgmt.db.extra"`, rewrite(t, good, "ca/self.crt", "mgmt.db.extra")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "bad.tgz")
			os.WriteFile(file, c.data, 0o600)
			target := filepath.Join(t.TempDir(), "target")
			res := w.run(t, "admin", "restore", "--from", file, "--data-dir", target)
			res.Expect(t, 1)
			if !strings.Contains(res.Stderr, c.want) {
				t.Errorf("stderr %q, want %q", res.Stderr, c.want)
			}
			if _, err := os.Stat(mgmt.Dir(target)); !os.IsNotExist(err) {
				t.Errorf("a refused restore left %s: %v", mgmt.Dir(target), err)
			}
		})
	}
	w.run(t, "admin", "restore").Expect(t, 2)
	w.run(t, "admin", "backup").Expect(t, 2)
	res = w.run(t, "admin", "backup", "--out", archive)
	res.Expect(t, 1)
	if !strings.Contains(res.Stderr, "already exists: pass --force") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

// rewrite returns the archive with the entry called from renamed to.
func rewrite(t *testing.T, archive []byte, from, to string) []byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var out bytes.Buffer
	gw := gzip.NewWriter(&out)
	tw := tar.NewWriter(gw)
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		if hdr.Name == from {
			hdr.Name = to
		}
		tw.WriteHeader(hdr)
		var buf bytes.Buffer
		buf.ReadFrom(tr)
		tw.Write(buf.Bytes())
	}
	tw.Close()
	gw.Close()
	return out.Bytes()
}

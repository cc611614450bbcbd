package faults

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/sns/imserver"
)

// A second `serve` on the data directory of a running one is refused with
// exit 6, naming the database and what to do, and the first one carries on.
// (The database is not compared byte for byte: its holder writes to it.)
func TestSecondServeOnOneDataDir(t *testing.T) {
	w := newWorld(t)
	alpha := w.addIM("alpha")
	cases := []struct {
		name string
		args []string
		db   string
		hint string
	}{
		{"im", []string{"serve", "--insecure", "--im", "--data-dir", alpha.dataDir, "--im-addr", "127.0.0.1:0"}, imserver.DBPath(alpha.dataDir), "or stop the server first"},
		{"mgmt", []string{"serve", "--insecure", "--mgmt", "--data-dir", w.mgmtDir, "--mgmt-addr", "127.0.0.1:0"}, mgmt.DBPath(w.mgmtDir), "stop it first, or give this one another --data-dir"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.args...)
			if r.code != 6 || !strings.Contains(r.stderr, tc.db) || !strings.Contains(r.stderr, "in use by a running") ||
				!strings.Contains(r.stderr, tc.hint) || !strings.Contains(r.stderr, "database_locked") {
				t.Errorf("exit %d, stderr %q: want 6 naming %s, saying it is in use and %q", r.code, r.stderr, tc.db, tc.hint)
			}
		})
	}
	// The second start on the saved address is refused by the address.
	r := run(t, "serve", "--insecure", "--im", "--data-dir", alpha.dataDir)
	if r.code == 0 || !strings.Contains(r.stderr, alpha.addr) || !strings.Contains(r.stderr, "--im-addr") {
		t.Errorf("a second serve on the same address: exit %d, %q", r.code, r.stderr)
	}
	if _, err := alpha.admin.Status(context.Background()); err != nil {
		t.Errorf("the first server stopped answering: %v", err)
	}
}

// A data directory the server may not write is refused at start, naming
// the database and what to fix, and left as it was. As root, which every
// permission lets through, the server runs as nobody.
func TestReadOnlyDataDir(t *testing.T) {
	dir, err := os.MkdirTemp("", "imictl-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	dataDir := filepath.Join(dir, "data")
	p := serve(t, "mgmt", "--mgmt", "--data-dir", dataDir, "--mgmt-addr", "127.0.0.1:0")
	if code := p.stop(); code != 0 {
		t.Fatalf("stop: exit %d", code)
	}
	db := mgmt.DBPath(dataDir)
	cmd := exec.Command(imictl, "serve", "--insecure", "--mgmt", "--data-dir", dataDir, "--mgmt-addr", "127.0.0.1:0")
	if os.Geteuid() == 0 {
		const nobody = 65534
		asNobody(t, dir, imictl, nobody)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	must0(t, os.Chmod(db, 0o400))
	must0(t, os.Chmod(filepath.Dir(db), 0o500))
	t.Cleanup(func() { os.Chmod(filepath.Dir(db), 0o700) })
	before := fileBytes(t, db)

	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	msg := stderr.String()
	if err == nil || !strings.Contains(msg, "cannot open the database "+db+": permission denied") ||
		!strings.Contains(msg, "make the file and its directory readable and writable by the user running imictl") {
		t.Errorf("start on a read-only data directory: %v, %q", err, msg)
	}
	if !bytes.Equal(before, fileBytes(t, db)) {
		t.Error("the refused start changed the database")
	}
	t.Logf("refused: %s", strings.TrimSpace(msg))
}

// asNobody gives uid the data under dir and the binary.
func asNobody(t *testing.T, dir, binary string, uid int) {
	t.Helper()
	must0(t, os.Chmod(dir, 0o755))
	must0(t, os.Chmod(filepath.Dir(binary), 0o755))
	must0(t, filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, uid)
	}))
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func must0(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

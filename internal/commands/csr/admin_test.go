package csr_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/csr"
	"github.com/imictl/imictl/internal/pki"
)

// An administrator's request: what ca sign --admin takes.
func TestCreateAdmin(t *testing.T) {
	dir := t.TempDir()
	keyPath, k := cmdtest.KeyFile(t, dir, "alice.key", "")
	out := filepath.Join(dir, "alice.csr")
	res := cmdtest.Run(t, cmdtest.Options{}, "csr", "create", "--key", keyPath, "--admin", "alice", "--out", out, "-o", "json")
	res.Expect(t, 0)
	var info csr.Info
	if err := json.Unmarshal([]byte(res.Stdout), &info); err != nil {
		t.Fatal(err)
	}
	if info.Admin != "alice" || info.ServerID != "" || len(info.Problems) != 0 || info.Subject != "CN=alice" || strings.Join(info.URIs, " ") != "urn:imi:admin:alice" {
		t.Fatalf("info %+v", info)
	}
	req, err := pki.ParseCSR(cmdtest.ReadFile(t, out))
	if err != nil {
		t.Fatal(err)
	}
	if pub, err := pki.CheckAdminCSR(req, "alice"); err != nil || !k.PublicKey.Equal(pub) {
		t.Fatalf("CheckAdminCSR: %v", err)
	}
	res = cmdtest.Run(t, cmdtest.Options{}, "csr", "inspect", out)
	res.Expect(t, 0)
	if !strings.Contains(res.Stdout, "Administrator:") || !strings.Contains(res.Stdout, "alice") {
		t.Errorf("inspect:\n%s", res.Stdout)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--admin", "a:b"}, "invalid --admin"},
		{[]string{"--admin", "alice", "--server-id", "alice"}, "--admin and --server-id exclude each other"},
		{[]string{"--admin", "alice", "--dns", "a.example.com"}, "--admin and --dns exclude each other"},
	} {
		res := cmdtest.Run(t, cmdtest.Options{}, append([]string{"csr", "create", "--key", keyPath, "--out", filepath.Join(dir, "x.csr")}, tc.args...)...)
		res.Expect(t, cmdutil.ExitUsage)
		if !strings.Contains(res.Stderr, tc.want) {
			t.Errorf("%v: stderr %q", tc.args, res.Stderr)
		}
	}
}

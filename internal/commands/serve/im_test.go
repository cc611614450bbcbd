package serve_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/admin"
	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// run runs imictl with args, expects exit code want, and decodes its JSON
// output into v (when not nil).
func run(t *testing.T, opts cmdtest.Options, want int, v any, args ...string) cmdtest.Result {
	t.Helper()
	res := cmdtest.Run(t, opts, args...)
	res.Expect(t, want)
	if v != nil {
		if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, res.Stdout)
		}
	}
	return res
}

// waitRunning waits (bounded) until the IM server of dir runs.
func waitRunning(t *testing.T, dir string) adminapi.Status {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	res := runCtx(ctx, cmdtest.Options{}, "im", "status", "--wait", "-o", "json", "--data-dir", dir)
	res.Expect(t, 0)
	var st adminapi.Status
	if err := json.Unmarshal([]byte(res.Stdout), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// Both services: the local IM server is registered and approved at once,
// saying so; a second IM server, for the same management server from
// another process, waits for an administrator; then their users talk,
// and the second starts again from its saved settings alone.
func TestServeBothAndASecondIMServer(t *testing.T) {
	base := t.TempDir()
	first, second := filepath.Join(base, "first"), filepath.Join(base, "second")
	opts := dataDirOpts(first)
	s := startServe(t, opts, "--insecure", "--mgmt-addr", "127.0.0.1:0", "--im-addr", "127.0.0.1:0")
	if !strings.Contains(s.log.String(), `msg="registered the local IM server and approved it automatically`) ||
		!strings.Contains(s.log.String(), "serverId=local-im requestId=req-1") {
		t.Errorf("log:\n%s", s.log)
	}
	st := waitRunning(t, first)
	if st.ServerID != "local-im" || st.MgmtURL != s.URL || !strings.HasPrefix(st.Address, "http://127.0.0.1:") || st.Address == "http://127.0.0.1:0" {
		t.Errorf("status: %+v", st)
	}
	// Its settings are kept, without the local management server's URL
	// (which follows --mgmt-addr).
	if cfg, err := imserver.LoadConfig(imserver.ConfigPath(first)); err != nil || cfg.ServerID != "local-im" || cfg.Address != st.Address || cfg.MgmtURL != "" {
		t.Errorf("saved configuration: %+v %v", cfg, err)
	}
	var apps []admin.Request
	run(t, opts, 0, &apps, "admin", "requests", "--state", "all", "-o", "json")
	if len(apps) != 1 || apps[0].ServerID != "local-im" || apps[0].State != "approved" || apps[0].Reviewer != "system:serve-bootstrap" ||
		apps[0].Fields["serverAddress"] != st.Address {
		t.Fatalf("applications: %+v", apps)
	}
	run(t, opts, 0, nil, "im", "user", "add", "alice", "--name", "Alice")

	// second, another process's IM server: pending until approved.
	root := filepath.Join(base, "root.crt")
	run(t, opts, 0, nil, "ca", "root", "--out", root)
	sec := dataDirOpts(second)
	s2 := startServe(t, sec, "--im", "--im-addr", "127.0.0.1:0", "--mgmt-url", s.URL, "--server-id", "second", "--root", root, "--insecure")
	if !strings.Contains(s2.log.String(), "waiting for an administrator of the management server to approve it (imictl admin approve req-2)") {
		t.Errorf("log:\n%s", s2.log)
	}
	run(t, sec, 6, nil, "im", "status")
	run(t, opts, 0, &apps, "admin", "requests", "--state", "pending", "-o", "json")
	if len(apps) != 1 || apps[0].ID != "req-2" || apps[0].ServerID != "second" {
		t.Fatalf("pending: %+v", apps)
	}
	run(t, opts, 0, nil, "admin", "approve", "req-2")
	st2 := waitRunning(t, second)
	if st2.ServerID != "second" || st2.MgmtURL != s.URL {
		t.Errorf("second: %+v", st2)
	}
	if !strings.Contains(s2.log.String(), `msg="registration approved" serverId=second requestId=req-2`) {
		t.Errorf("log:\n%s", s2.log)
	}

	run(t, sec, 0, nil, "im", "user", "add", "bob", "--name", "Bob")
	run(t, opts, 0, nil, "im", "send", "--from", "alice", "--to", "bob@second", "--text", "hello bob")
	run(t, sec, 0, nil, "im", "send", "--from", "bob", "--to", "alice@local-im", "--text", "hello alice")
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	for _, c := range []struct {
		opts             cmdtest.Options
		user, from, text string
	}{
		{sec, "bob", "alice@local-im", "hello bob"}, {opts, "alice", "bob@second", "hello alice"},
	} {
		res := runCtx(ctx, c.opts, "im", "inbox", c.user, "--wait", "-o", "json")
		res.Expect(t, 0)
		var in []imstore.InboxMessage
		if err := json.Unmarshal([]byte(res.Stdout), &in); err != nil {
			t.Fatal(err)
		}
		if len(in) != 1 || in[0].From != c.from || !strings.Contains(string(in[0].Content), c.text) {
			t.Errorf("%s's inbox: %+v", c.user, in)
		}
	}

	// Stopped, second starts again from its configuration alone.
	if code := s2.stop(); code != 0 {
		t.Fatalf("second exited with %d:\n%s", code, s2.log)
	}
	cfg, err := imserver.LoadConfig(imserver.ConfigPath(second))
	if err != nil || cfg.ServerID != "second" || cfg.MgmtURL != s.URL || cfg.Address != st2.Address || "http://"+cfg.Listen != st2.Address {
		t.Fatalf("saved configuration: %+v %v", cfg, err)
	}
	if _, err := os.Stat(filepath.Join(imserver.IdentityDir(second), "request.json")); !os.IsNotExist(err) {
		t.Errorf("request.json left behind: %v", err)
	}
	moved := filepath.Join(base, "second.json")
	if err := os.Rename(imserver.ConfigPath(second), moved); err != nil {
		t.Fatal(err)
	}
	startServe(t, sec, "--im", "--config", moved)
	if again := waitRunning(t, second); again.Address != st2.Address || again.Users != 1 {
		t.Errorf("restarted: %+v", again)
	}
	run(t, opts, 0, &apps, "admin", "requests", "--state", "all", "-o", "json")
	if len(apps) != 2 {
		t.Errorf("a restart applied again: %+v", apps)
	}
}

// A first start interrupted while waiting goes on waiting for the same
// application; a rejection ends serve with the reviewer's reason, and the
// next start applies anew.
func TestServeIMRegistrationInterruptedAndRejected(t *testing.T) {
	base := t.TempDir()
	opts := dataDirOpts(filepath.Join(base, "mgmt"))
	s := startServe(t, opts, "--mgmt", "--insecure", "--mgmt-addr", "127.0.0.1:0")
	imDir := filepath.Join(base, "im")
	im := dataDirOpts(imDir)
	// The root pinned by a fingerprint that is not its own: refused.
	wrongFP := strings.Repeat("ab", 32)
	res := cmdtest.Run(t, im, "serve", "--im", "--im-addr", "127.0.0.1:0", "--mgmt-url", s.URL, "--server-id", "third", "--mgmt-fingerprint", wrongFP, "--insecure")
	res.Expect(t, 4)
	if !strings.Contains(res.Stderr, "(reason: fingerprint_mismatch)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	if _, err := os.Stat(imserver.Dir(imDir)); !os.IsNotExist(err) {
		t.Errorf("a refused start left %s: %v", imserver.Dir(imDir), err)
	}
	args := []string{"--im", "--im-addr", "127.0.0.1:0", "--mgmt-url", s.URL, "--server-id", "third", "--mgmt-fingerprint", s.RootSHA256, "--insecure"}

	w := startServe(t, im, args...)
	if code := w.stop(); code != 0 {
		t.Fatalf("interrupted while waiting: exit %d\n%s", code, w.log)
	}
	w = startServe(t, im, args...)
	if !strings.Contains(w.log.String(), `msg="the IM server's registration is still waiting for approval" serverId=third requestId=req-1`) {
		t.Errorf("log:\n%s", w.log)
	}
	var apps []admin.Request
	run(t, opts, 0, &apps, "admin", "requests", "--state", "all", "-o", "json")
	if len(apps) != 1 {
		t.Fatalf("applications: %+v", apps)
	}
	run(t, opts, 0, nil, "admin", "reject", "req-1", "--reason", "no contract yet")
	select {
	case code := <-w.code:
		if code != 1 || !strings.Contains(w.log.String(), "the management server rejected the registration of third (req-1): no contract yet; start again to apply anew (reason: rejected)") {
			t.Errorf("exit %d:\n%s", code, w.log)
		}
	case <-time.After(readyTimeout):
		t.Fatalf("serve did not end on the rejection:\n%s", w.log)
	}
	w.cancel()
	w.cancel = nil
	if _, err := os.Stat(imserver.DBPath(imDir)); !os.IsNotExist(err) {
		t.Errorf("a server that never ran has a database: %v", err)
	}

	// The key made at the first start is used again.
	key1, err := os.ReadFile(filepath.Join(imserver.IdentityDir(imDir), "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	startServe(t, im, args...)
	run(t, opts, 0, &apps, "admin", "requests", "--state", "pending", "-o", "json")
	if len(apps) != 1 || apps[0].ID != "req-2" {
		t.Fatalf("applied anew: %+v", apps)
	}
	key, _ := pki.DecodePrivateKeyPEM(key1, nil)
	csr, err := pki.ParseCSR([]byte(apps[0].CSR))
	if err != nil || !key.PublicKey.Equal(csr.PublicKey) {
		t.Errorf("the new application is for another key: %v", err)
	}
}

// Without --insecure the IM server's key is encrypted: a later start needs
// the password.
func TestServeEncryptedIMKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	opts := dataDirOpts(dir)
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("secret\n"), 0o600)
	s := startServe(t, opts, "--ca-password-file", pw, "--im-password-file", pw, "--mgmt-addr", "127.0.0.1:0", "--im-addr", "127.0.0.1:0")
	waitRunning(t, dir)
	keyPEM, err := os.ReadFile(filepath.Join(imserver.IdentityDir(dir), "key.pem"))
	if err != nil || !pki.IsEncryptedKeyPEM(keyPEM) {
		t.Fatalf("key: encrypted %v, %v", pki.IsEncryptedKeyPEM(keyPEM), err)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	res := cmdtest.Run(t, opts, "serve", "--im", "--im-addr", "127.0.0.1:0", "--mgmt-url", s.URL)
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "pass --im-password-file") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	startServe(t, opts, "--ca-password-file", pw, "--im-password-file", pw, "--mgmt-addr", "127.0.0.1:0", "--im-addr", "127.0.0.1:0")
	waitRunning(t, dir)
}

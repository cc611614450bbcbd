package serve_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/pki"
)

func dataDirOpts(dir string) cmdtest.Options {
	return cmdtest.Options{Env: map[string]string{cmdutil.DataDirEnv: dir}, Now: time.Now()}
}

func TestServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	opts := dataDirOpts(dir)
	s := startServe(t, opts, "--mgmt", "--insecure", "--mgmt-addr", "127.0.0.1:0")
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("url %q", s.URL)
	}
	log := s.log.String()
	for _, want := range []string{`msg="created the interconnection CA"`, "encrypted=false", `msg="serving; stop with Ctrl-C or SIGTERM" services=mgmt`, "admin=" + mgmt.SocketPath(dir)} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	rootPEM, err := os.ReadFile(filepath.Join(mgmt.CADir(dir), ca.RootCertFile))
	if err != nil {
		t.Fatal(err)
	}
	root, _ := pki.ParseCertificatePEM(rootPEM)
	if s.RootSHA256 != key.FingerprintsOf(root.Raw).SHA256 {
		t.Errorf("logged fingerprint %s is not the root's", s.RootSHA256)
	}
	if enc, _ := ca.IsEncrypted(mgmt.CADir(dir)); enc {
		t.Error("--insecure created an encrypted CA")
	}
	// The admin commands reach it through its socket.
	cmdtest.Run(t, opts, "admin", "servers", "-o", "json").Expect(t, 0)
	// A second server on the same data directory is refused.
	res := cmdtest.Run(t, opts, "serve", "--mgmt", "--mgmt-addr", "127.0.0.1:0")
	res.Expect(t, 6)
	if !strings.Contains(res.Stderr, "another management server is running on "+dir) {
		t.Errorf("stderr: %s", res.Stderr)
	}

	// Ctrl-C stops it cleanly and releases the database.
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d:\n%s", code, s.log)
	}
	if !strings.Contains(s.log.String(), `msg="management server stopped"`) {
		t.Errorf("log:\n%s", s.log)
	}
	_, db, err := mgmt.OpenLocal(dir, mgmt.LocalOptions{})
	if err != nil {
		t.Fatalf("the database is still held: %v", err)
	}
	db.Close()
	// It starts again on the same data, with the same CA.
	again := startServe(t, opts, "--mgmt", "--mgmt-addr", "127.0.0.1:0")
	if again.RootSHA256 != s.RootSHA256 || strings.Contains(again.log.String(), "created the interconnection CA") {
		t.Errorf("restart made a new CA:\n%s", again.log)
	}
}

// Without --insecure the CA keys are encrypted: the first start needs a
// password, and later starts the same one.
func TestServeEncryptedCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	opts := dataDirOpts(dir)
	res := cmdtest.Run(t, opts, "serve", "--mgmt", "--mgmt-addr", "127.0.0.1:0")
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "the first start creates the CA, whose keys are encrypted: pass --ca-password-file FILE") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	if _, err := os.Stat(mgmt.CADir(dir)); !os.IsNotExist(err) {
		t.Fatalf("a CA was created: %v", err)
	}

	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("ca secret\n"), 0o600)
	wrong := filepath.Join(t.TempDir(), "wrong")
	os.WriteFile(wrong, []byte("not it\n"), 0o600)
	s := startServe(t, opts, "--mgmt", "--ca-password-file", pw, "--mgmt-addr", "127.0.0.1:0")
	if !strings.Contains(s.log.String(), "encrypted=true") {
		t.Errorf("log:\n%s", s.log)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	res = cmdtest.Run(t, opts, "serve", "--mgmt", "--ca-password-file", wrong, "--mgmt-addr", "127.0.0.1:0")
	res.Expect(t, 4)
	if !strings.Contains(res.Stderr, "(reason: bad_password)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = cmdtest.Run(t, opts, "serve", "--mgmt", "--mgmt-addr", "127.0.0.1:0")
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "pass --ca-password-file FILE") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	startServe(t, opts, "--mgmt", "--ca-password-file", pw, "--mgmt-addr", "127.0.0.1:0")
}

func TestServeBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "xml"}, `invalid --log-format "xml"`},
		{[]string{"--mgmt-tls-cert", "c.pem"}, "if any flags in the group [mgmt-tls-cert mgmt-tls-key] are set they must all be set"},
		{[]string{"--insecure", "--ca-password-file", "pw"}, "if any flags in the group [insecure ca-password-file] are set none of the others can be"},
		{[]string{"--mgmt-public-url", "mgmt.example.com"}, `invalid --mgmt-public-url "mgmt.example.com"`},
		{[]string{"--admin-addr", "8444"}, `invalid --admin-addr "8444": want HOST:PORT`},
		{[]string{"--im"}, "--im alone runs an IM server for a management server elsewhere: pass --mgmt-url URL"},
		{[]string{"--im", "--mgmt-url", "mgmt:8440"}, `invalid --mgmt-url "mgmt:8440"`},
		{[]string{"--im", "--mgmt-url", "http://127.0.0.1:1", "--root", "r.crt"}, "the first start registers the IM server at http://127.0.0.1:1: name it with --server-id ID"},
		{[]string{"--im", "--mgmt-url", "http://127.0.0.1:1", "--server-id", "x"}, "the first start needs the root of the management server at http://127.0.0.1:1, to trust its answers: pass --root FILE"},
		{[]string{"--im", "--mgmt-url", "http://127.0.0.1:1", "--server-id", "x", "--root", "r.crt"}, "the first start creates the IM server's key, encrypted: pass --im-password-file FILE"},
		{[]string{"--server-id", "bad.id"}, `invalid --server-id: bad serverId "bad.id"`},
		{[]string{"--im-public-url", "im.example.com"}, `invalid --im-public-url "im.example.com"`},
		{[]string{"--insecure", "--im-password-file", "pw"}, "if any flags in the group [insecure im-password-file] are set none of the others can be"},
		{[]string{"--root", "r.crt", "--mgmt-fingerprint", "ab"}, "if any flags in the group [root mgmt-fingerprint] are set none of the others can be"},
		{[]string{"--im", "--config", "nope.json"}, "--config nope.json: no such file"},
		{[]string{"--ca-password-file", "pw"}, "the first start creates the IM server's key, encrypted: pass --im-password-file FILE"},
	}
	for _, tt := range tests {
		dir := filepath.Join(t.TempDir(), "data")
		res := cmdtest.Run(t, dataDirOpts(dir), append([]string{"serve"}, tt.args...)...)
		if res.Code != 2 || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, res.Code, res.Stderr, tt.want)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%v: the data directory was created", tt.args)
		}
	}
	res := cmdtest.Run(t, dataDirOpts(t.TempDir()), "serve", "--insecure", "--mgmt-addr", "256.0.0.1:99999")
	res.Expect(t, 1)
	if !strings.Contains(res.Stderr, "starting the management server: listening on 256.0.0.1:99999") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

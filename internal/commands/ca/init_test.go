package ca_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/ca"
	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/mgmt"
	mgmtca "github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/pki"
)

func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("ca secret\n"), 0o600)
	opts := cmdtest.Options{Env: map[string]string{cmdutil.DataDirEnv: dir}}
	res := cmdtest.Run(t, opts, "ca", "init", "--password-file", pw, "--name", "Test root", "-o", "json")
	res.Expect(t, 0)
	got := decode[ca.InitResult](t, res)
	caDir := mgmt.CADir(dir)
	rootPEM := cmdtest.ReadFile(t, filepath.Join(caDir, mgmtca.RootCertFile))
	root, err := pki.ParseCertificatePEM(rootPEM)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dir != caDir || got.ServerID != "center-im" || !got.Encrypted || got.Subject != "CN=Test root" ||
		got.Fingerprints != key.FingerprintsOf(root.Raw) || got.PEM != string(rootPEM) {
		t.Errorf("result %+v", got)
	}
	if !pki.IsEncryptedKeyPEM(cmdtest.ReadFile(t, filepath.Join(caDir, mgmtca.RootKeyFile))) {
		t.Error("the root key is not encrypted")
	}
	if _, err := os.Stat(mgmt.DBPath(dir)); err != nil {
		t.Errorf("no database: %v", err)
	}

	// A second init refuses, before asking for anything, and changes nothing.
	res = cmdtest.Run(t, opts, "ca", "init", "--no-password", "--insecure")
	res.Expect(t, 1)
	if !strings.Contains(res.Stderr, "a CA already exists in this directory") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	if string(cmdtest.ReadFile(t, filepath.Join(caDir, mgmtca.RootCertFile))) != string(rootPEM) {
		t.Error("the root changed")
	}
}

func TestInitBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no password in a pipe", nil, "there is no terminal to ask: pass --password-file FILE"},
		{"no-password alone", []string{"--no-password"}, "needs --insecure to confirm"},
		{"insecure alone", []string{"--insecure"}, "needs --insecure to confirm"},
		{"bad server id", []string{"--no-password", "--insecure", "--server-id", "center im"}, "invalid --server-id"},
		{"bad validity", []string{"--no-password", "--insecure", "--validity", "ten years"}, `invalid --validity "ten years"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			res := cmdtest.Run(t, cmdtest.Options{Env: map[string]string{cmdutil.DataDirEnv: dir}}, append([]string{"ca", "init"}, tt.args...)...)
			res.Expect(t, 2)
			if !strings.Contains(res.Stderr, tt.want) {
				t.Errorf("stderr %q, want %q", res.Stderr, tt.want)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("the data directory was created: %v", err)
			}
		})
	}
}

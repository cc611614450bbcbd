package identity_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
)

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000 // encrypted test keys, quickly
	os.Exit(m.Run())
}

// fixture is two servers' identities on disk and a config file naming them.
type fixture struct {
	dir        string
	a, b       clienttest.Files
	aID, bID   string
	configPath string
	pwFile     string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ca := clienttest.NewCA(t)
	dir := t.TempDir()
	fx := &fixture{dir: dir, aID: "srv-a", bID: "srv_b"}
	fx.a = ca.WriteFiles(t, ca.Server(t, fx.aID), filepath.Join(dir, "a"), nil)
	fx.b = ca.WriteFiles(t, ca.Server(t, fx.bID), filepath.Join(dir, "b"), []byte("s3cret"))
	fx.pwFile = filepath.Join(dir, "pw")
	writeFile(t, fx.pwFile, "s3cret\n")
	fx.configPath = filepath.Join(dir, "cfg", "config.yaml")
	// Relative paths are resolved against the config file's directory.
	writeFile(t, fx.configPath, `current-context: a
contexts:
  - name: a
    key: ../a/key.pem
    cert: ../a/cert.pem
    root: ../a/root.crt
    mgmt: http://127.0.0.1:8440/
  - name: b
    key: `+fx.b.Key+`
    cert: `+fx.b.Cert+`
    root: `+fx.b.Root+`
    password-file: ../pw
`)
	return fx
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// load parses args as the flags of a command with the identity flags and
// loads the identity with env as the environment.
func load(t *testing.T, env map[string]string, p prompt.Prompter, needs identity.Needs, args ...string) (*identity.Identity, error) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	if p != nil {
		ios.SetStdinTTY(true)
		ios.SetStdoutTTY(true)
	} else {
		p = prompt.NewScripted()
	}
	f := &cmdutil.Factory{
		IOStreams: ios,
		Prompter:  func() prompt.Prompter { return p },
		Now:       time.Now,
		Getenv:    func(k string) string { return env[k] },
	}
	cmd := &cobra.Command{Use: "x"}
	identity.AddFlags(cmd)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	return identity.LoadFor(f, cmd, needs)
}

var full = identity.Needs{Cert: true, Root: true}

func TestPrecedence(t *testing.T) {
	fx := newFixture(t)
	cfg := map[string]string{identity.ConfigEnv: fx.configPath}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{identity.ConfigEnv: fx.configPath}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name        string
		env         map[string]string
		args        []string
		wantID      string
		wantContext string
		wantMgmt    string
		wantKey     string
	}{
		{"current context", cfg, nil, fx.aID, "a", "http://127.0.0.1:8440", fx.a.Key},
		{"--context", cfg, []string{"--context", "b"}, fx.bID, "b", "", fx.b.Key},
		{"IMICTL_CONTEXT", with(map[string]string{identity.EnvContext: "b"}), nil, fx.bID, "b", "", fx.b.Key},
		{"--context beats IMICTL_CONTEXT", with(map[string]string{identity.EnvContext: "b"}), []string{"--context", "a"}, fx.aID, "a", "http://127.0.0.1:8440", fx.a.Key},
		{"env beats context", with(map[string]string{identity.EnvMgmt: "https://m.example/", identity.EnvKey: fx.b.Key, identity.EnvCert: fx.b.Cert, identity.EnvPasswordFile: fx.pwFile}),
			nil, fx.bID, "a", "https://m.example", fx.b.Key},
		{"flags beat env", with(map[string]string{identity.EnvMgmt: "https://m.example", identity.EnvKey: fx.b.Key, identity.EnvCert: fx.b.Cert}),
			[]string{"--mgmt", "http://[::1]:9", "--key", fx.a.Key, "--cert", fx.a.Cert}, fx.aID, "a", "http://[::1]:9", fx.a.Key},
		{"flags only, no config", map[string]string{}, []string{"--key", fx.a.Key, "--cert", fx.a.Cert, "--root", fx.a.Root}, fx.aID, "", "", fx.a.Key},
		{"env only, no config file", map[string]string{identity.ConfigEnv: filepath.Join(fx.dir, "none.yaml"), identity.EnvKey: fx.a.Key, identity.EnvCert: fx.a.Cert, identity.EnvRoot: fx.a.Root},
			nil, fx.aID, "", "", fx.a.Key},
		{"--server-id may repeat the certificate's", cfg, []string{"--server-id", fx.aID}, fx.aID, "a", "http://127.0.0.1:8440", fx.a.Key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := load(t, tt.env, nil, full, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if id.ServerID != tt.wantID || id.Context != tt.wantContext || id.MgmtURL != tt.wantMgmt || id.Settings.Key != tt.wantKey {
				t.Errorf("got id %q context %q mgmt %q key %q, want %q %q %q %q", id.ServerID, id.Context, id.MgmtURL, id.Settings.Key, tt.wantID, tt.wantContext, tt.wantMgmt, tt.wantKey)
			}
			if id.Signer() == nil || id.Signer().ServerID() != tt.wantID || id.Key == nil || id.Cert == nil || id.Roots == nil {
				t.Errorf("incomplete identity: %+v", id)
			}
		})
	}
}

func TestXDGAndHomeConfig(t *testing.T) {
	fx := newFixture(t)
	data, err := os.ReadFile(fx.configPath)
	if err != nil {
		t.Fatal(err)
	}
	// Absolute paths, since the file moves away from the keys.
	abs := strings.NewReplacer("../a/", filepath.Join(fx.dir, "a")+"/", "../pw", fx.pwFile).Replace(string(data))
	xdg, home := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(xdg, "imictl", "config.yaml"), abs)
	writeFile(t, filepath.Join(home, ".config", "imictl", "config.yaml"), strings.Replace(abs, "current-context: a", "current-context: b", 1))

	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": home}, fx.aID},
		{map[string]string{"HOME": home}, fx.bID},
	} {
		id, err := load(t, tc.env, nil, full)
		if err != nil {
			t.Fatal(err)
		}
		if id.ServerID != tc.want {
			t.Errorf("env %v: serverId %q, want %q", tc.env, id.ServerID, tc.want)
		}
	}
}

func TestPasswordOnlyForEncryptedKeys(t *testing.T) {
	fx := newFixture(t)
	args := []string{"--key", fx.b.Key, "--cert", fx.b.Cert, "--root", fx.b.Root}

	// Encrypted key on a terminal: asked once, with the file in the title.
	p := prompt.NewScripted(prompt.Answer{Title: "Password for " + fx.b.Key, Value: "s3cret"})
	if _, err := load(t, nil, p, full, args...); err != nil {
		t.Fatal(err)
	}
	if err := p.Done(); err != nil {
		t.Fatal(err)
	}
	// Wrong password: exit 4, as for every command reading a key.
	p = prompt.NewScripted(prompt.Answer{Title: "Password for " + fx.b.Key, Value: "nope"})
	if _, err := load(t, nil, p, full, args...); err == nil || !strings.Contains(err.Error(), "key "+fx.b.Key+": ") ||
		!strings.Contains(err.Error(), "wrong password") || cmdutil.ExitCode(err) != cmdutil.ExitAuth || cmdutil.ErrorReason(err) != "bad_password" {
		t.Fatalf("wrong password: got %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	// Encrypted key without a terminal or a password file: usage error.
	_, err := load(t, nil, nil, full, args...)
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "--password-file") {
		t.Fatalf("no terminal: got %v", err)
	}
	// Plain key on a terminal: nothing asked (the scripted prompter fails
	// any question).
	p = prompt.NewScripted()
	if _, err := load(t, nil, p, full, "--key", fx.a.Key, "--cert", fx.a.Cert, "--root", fx.a.Root); err != nil {
		t.Fatal(err)
	}
	if len(p.Asked) != 0 {
		t.Fatalf("asked %v for a plain key", p.Asked)
	}
}

func TestMissingAndBadSettings(t *testing.T) {
	fx := newFixture(t)
	noCfg := map[string]string{identity.ConfigEnv: filepath.Join(fx.dir, "none.yaml")}
	cfg := map[string]string{identity.ConfigEnv: fx.configPath}
	badCfg := filepath.Join(fx.dir, "bad.yaml")
	writeFile(t, badCfg, "contexts:\n  - name: x\n    keyy: k\n")
	dupCfg := filepath.Join(fx.dir, "dup.yaml")
	writeFile(t, dupCfg, "contexts:\n  - name: x\n  - name: x\n")
	danglingCfg := filepath.Join(fx.dir, "dangling.yaml")
	writeFile(t, danglingCfg, "current-context: gone\n")
	notCA := filepath.Join(fx.dir, "notca.crt")
	data, _ := os.ReadFile(fx.a.Cert)
	writeFile(t, notCA, string(data))

	tests := []struct {
		name  string
		env   map[string]string
		needs identity.Needs
		args  []string
		code  int
		want  string
	}{
		{"no key", noCfg, full, []string{"--cert", fx.a.Cert, "--root", fx.a.Root}, cmdutil.ExitUsage,
			"missing the SM2 private key to sign with: pass --key FILE, set IMICTL_KEY, or add it to a context (`imictl config set-context NAME --key FILE`)"},
		{"no cert", noCfg, full, []string{"--key", fx.a.Key, "--root", fx.a.Root}, cmdutil.ExitUsage,
			"missing the certificate of the key to sign with: pass --cert FILE, set IMICTL_CERT"},
		{"no root", noCfg, full, []string{"--key", fx.a.Key, "--cert", fx.a.Cert}, cmdutil.ExitUsage,
			"missing the interconnection root certificate, to authenticate answers: pass --root FILE, set IMICTL_ROOT"},
		{"no mgmt, in a context", cfg, identity.Needs{Mgmt: true}, []string{"--context", "b"}, cmdutil.ExitUsage,
			"missing the management server's base URL: pass --mgmt URL, set IMICTL_MGMT, or add it to context \"b\" (`imictl config set-context b --mgmt URL`)"},
		{"no server id without a cert", noCfg, identity.Needs{}, []string{"--key", fx.a.Key}, cmdutil.ExitUsage,
			"missing the serverId to sign as: pass --server-id ID, set IMICTL_SERVER_ID"},
		{"bad server id", noCfg, identity.Needs{}, []string{"--key", fx.a.Key, "--server-id", "a.b"}, cmdutil.ExitUsage, `--server-id "a.b": serverId "a.b" is invalid`},
		{"server id contradicts cert", cfg, full, []string{"--server-id", fx.bID}, cmdutil.ExitUsage,
			`--server-id is "srv_b" but the certificate names "srv-a"`},
		{"key of another cert", noCfg, full, []string{"--key", fx.a.Key, "--cert", fx.b.Cert, "--root", fx.a.Root}, cmdutil.ExitUsage, "does not match the certificate"},
		{"unknown context", cfg, full, []string{"--context", "zz"}, cmdutil.ExitUsage, `--context names context "zz", which ` + fx.configPath + " does not define"},
		{"context without config file", map[string]string{identity.ConfigEnv: filepath.Join(fx.dir, "none.yaml"), identity.EnvContext: "a"}, full, nil, cmdutil.ExitUsage,
			`IMICTL_CONTEXT names context "a" but there is no config file`},
		{"dangling current-context", map[string]string{identity.ConfigEnv: danglingCfg}, full, nil, cmdutil.ExitUsage, `current-context of ` + danglingCfg + ` names context "gone"`},
		{"misspelt key in config", map[string]string{identity.ConfigEnv: badCfg}, full, nil, cmdutil.ExitFailure, "field keyy not found"},
		{"context defined twice", map[string]string{identity.ConfigEnv: dupCfg}, full, nil, cmdutil.ExitFailure, `context "x" is defined twice`},
		{"bad mgmt URL", cfg, full, []string{"--mgmt", "ftp://x"}, cmdutil.ExitUsage, `--mgmt "ftp://x": want the management server's base URL`},
		{"missing key file", noCfg, full, []string{"--key", filepath.Join(fx.dir, "nokey.pem"), "--cert", fx.a.Cert, "--root", fx.a.Root}, cmdutil.ExitFailure, "cannot read"},
		{"cert is not a cert", noCfg, full, []string{"--key", fx.a.Key, "--cert", fx.a.Key, "--root", fx.a.Root}, cmdutil.ExitFailure, "certificate " + fx.a.Key},
		{"root is not a CA", noCfg, full, []string{"--key", fx.a.Key, "--cert", fx.a.Cert, "--root", notCA}, cmdutil.ExitFailure, "is not a CA certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := load(t, tt.env, nil, tt.needs, tt.args...)
			if err == nil {
				t.Fatalf("loaded %+v, want an error", id)
			}
			if got := cmdutil.ExitCode(err); got != tt.code {
				t.Errorf("exit code %d, want %d (%v)", got, tt.code, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestPartialIdentity(t *testing.T) {
	fx := newFixture(t)
	// An applicant before approval: a key and a serverId, no certificate.
	id, err := load(t, nil, nil, identity.Needs{Mgmt: true}, "--key", fx.a.Key, "--server-id", "applicant-1", "--mgmt", "http://127.0.0.1:8440")
	if err != nil {
		t.Fatal(err)
	}
	if id.ServerID != "applicant-1" || id.Key == nil || id.Cert != nil || id.Signer() == nil || id.Signer().ServerID() != "applicant-1" || id.Roots != nil || id.MgmtURL != "http://127.0.0.1:8440" {
		t.Fatalf("got %+v", id)
	}
}

package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
)

func env(path string) cmdtest.Options {
	return cmdtest.Options{Env: map[string]string{identity.ConfigEnv: path}}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestSetUseGetViewDelete(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "imictl", "config.yaml")
	o := env(path)

	res := cmdtest.Run(t, o, "config", "set-context", "prod", "--key", "/k/key.pem", "--cert", "/k/cert.pem",
		"--root", "/k/root.crt", "--mgmt", "https://mgmt.example.com/", "--server-id", "abc", "--current", "-o", "json")
	res.Expect(t, 0)
	want := `{
  "current": true,
  "name": "prod",
  "serverId": "abc",
  "key": "/k/key.pem",
  "cert": "/k/cert.pem",
  "root": "/k/root.crt",
  "mgmt": "https://mgmt.example.com"
}
`
	if res.Stdout != want {
		t.Errorf("set-context -o json:\n%s\nwant:\n%s", res.Stdout, want)
	}
	if !strings.Contains(res.Stderr, `Context "prod" created in `+path) || !strings.Contains(res.Stderr, "Warning: /k/key.pem does not exist (yet).") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v %v", st, err)
	}

	// A second context; a relative path becomes absolute; "" clears.
	wd, _ := os.Getwd()
	cmdtest.Run(t, o, "config", "set-context", "dev", "--key", "rel/key.pem", "--mgmt", "http://127.0.0.1:8440").Expect(t, 0)
	res = cmdtest.Run(t, o, "config", "set-context", "dev", "--mgmt", "")
	res.Expect(t, 0)
	if !strings.Contains(res.Stderr, `Context "dev" modified`) {
		t.Errorf("stderr: %s", res.Stderr)
	}
	cfg, _, err := identity.ReadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if dev := cfg.Context("dev"); dev == nil || dev.Key != filepath.Join(wd, "rel/key.pem") || dev.Mgmt != "" || cfg.CurrentContext != "prod" {
		t.Fatalf("config after changes: %+v", cfg)
	}

	cmdtest.Run(t, o, "config", "set-context", "dev", "--key", "/k/dev.pem").Expect(t, 0)
	res = cmdtest.Run(t, o, "config", "get-contexts")
	res.Expect(t, 0)
	wantTable := "CURRENT   NAME   SERVER-ID   MGMT                       KEY          CERT          ROOT\n" +
		"*         prod   abc         https://mgmt.example.com   /k/key.pem   /k/cert.pem   /k/root.crt\n" +
		"          dev                                           /k/dev.pem\n"
	if res.Stdout != wantTable {
		t.Errorf("get-contexts:\n%q\nwant:\n%q", res.Stdout, wantTable)
	}

	cmdtest.Run(t, o, "config", "use-context", "dev").Expect(t, 0)
	res = cmdtest.Run(t, o, "config", "view")
	res.Expect(t, 0)
	if !strings.Contains(res.Stdout, "currentContext: dev\n") || !strings.Contains(res.Stdout, "path: "+path+"\n") || !strings.Contains(res.Stdout, "exists: true\n") {
		t.Errorf("view:\n%s", res.Stdout)
	}

	res = cmdtest.Run(t, o, "config", "delete-context", "dev")
	res.Expect(t, 0)
	if !strings.Contains(res.Stderr, "It was the current context") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = cmdtest.Run(t, o, "config", "get-contexts", "-o", "json")
	res.Expect(t, 0)
	if !strings.Contains(res.Stdout, `"name": "prod"`) || strings.Contains(res.Stdout, `"dev"`) || strings.Contains(res.Stdout, `"current": true`) {
		t.Errorf("after delete: %s", res.Stdout)
	}
}

func TestViewNeverShowsSecrets(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmdtest.Run(t, env(path), "config", "set-context", "p", "--password-file", pw).Expect(t, 0)
	for _, format := range []string{"yaml", "json", "table"} {
		res := cmdtest.Run(t, env(path), "config", "view", "-o", format)
		res.Expect(t, 0)
		if strings.Contains(res.Stdout, "hunter2") || strings.Contains(readFile(t, path), "hunter2") {
			t.Fatalf("the password leaked")
		}
	}
	if res := cmdtest.Run(t, env(path), "config", "view", "-o", "json"); !strings.Contains(res.Stdout, `"passwordFile": "`+pw+`"`) {
		t.Errorf("view lacks the password file path: %s", res.Stdout)
	}
}

func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	cmdtest.Run(t, env(path), "config", "set-context", "p", "--server-id", "abc").Expect(t, 0)
	before := readFile(t, path)
	tests := []struct {
		name string
		opts cmdtest.Options
		args []string
		code int
		want string
	}{
		{"use unknown", env(path), []string{"config", "use-context", "zz"}, cmdutil.ExitNotFound, `no context "zz" in ` + path},
		{"delete unknown", env(path), []string{"config", "delete-context", "zz"}, cmdutil.ExitNotFound, `no context "zz"`},
		{"bad server id", env(path), []string{"config", "set-context", "p", "--server-id", "a:b"}, cmdutil.ExitUsage, `--server-id: serverId "a:b" is invalid`},
		{"bad mgmt", env(path), []string{"config", "set-context", "p", "--mgmt", "mgmt.example.com"}, cmdutil.ExitUsage, `--mgmt "mgmt.example.com": want the management server's base URL`},
		{"no name", env(path), []string{"config", "set-context"}, cmdutil.ExitUsage, "accepts 1 arg(s), received 0"},
		{"nowhere", cmdtest.Options{}, []string{"config", "view"}, cmdutil.ExitUsage, "cannot tell where the config file is: set IMICTL_CONFIG or HOME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, tt.opts, tt.args...)
			res.Expect(t, tt.code)
			if !strings.Contains(res.Stderr, tt.want) {
				t.Errorf("stderr %q\nwant %q", res.Stderr, tt.want)
			}
			if got := readFile(t, path); got != before {
				t.Errorf("config file changed:\n%s", got)
			}
		})
	}
}

func TestBrokenConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("current-context: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := cmdtest.Run(t, env(path), "config", "set-context", "p", "--server-id", "abc")
	res.Expect(t, cmdutil.ExitFailure)
	if !strings.Contains(res.Stderr, "config file "+path+": ") || !strings.Contains(res.Stderr, "fix it or move it away") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	if readFile(t, path) != "current-context: [\n" {
		t.Error("a broken config file was overwritten")
	}
}

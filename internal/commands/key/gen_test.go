package key_test

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/pki"
)

// infoTable is the table `key gen` and `key inspect` print for a key that
// was read.
func infoTable(file, encoding string, encrypted bool, fp key.Fingerprints) string {
	enc := "no"
	if encrypted {
		enc = "yes"
	}
	return "File:                 " + file + "\n" +
		"Type:                 SM2\n" +
		"Curve:                sm2p256v1\n" +
		"Encoding:             " + encoding + "\n" +
		"Encrypted:            " + enc + "\n" +
		"Public key SHA-256:   " + fp.SHA256 + "\n" +
		"Public key SM3:       " + fp.SM3 + "\n"
}

// readBack decodes the key file at path with pw, checking its PEM type and
// file mode.
func readBack(t *testing.T, path, pw string) *sm2.PrivateKey {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, st.Mode().Perm())
	}
	data := cmdtest.ReadFile(t, path)
	wantType := "PRIVATE KEY"
	if pw != "" {
		wantType = "ENCRYPTED PRIVATE KEY"
	}
	if block, _ := pem.Decode(data); block == nil || block.Type != wantType {
		t.Fatalf("%s is not a %q PEM block:\n%s", path, wantType, data)
	}
	k, err := pki.DecodePrivateKeyPEM(data, []byte(pw))
	if err != nil {
		t.Fatalf("reading back %s: %v", path, err)
	}
	return k
}

func TestGen(t *testing.T) {
	newPassword := []prompt.Answer{
		{Title: "Password for the new key", Value: password},
		{Title: "Confirm: Password for the new key", Value: password},
	}
	tests := []struct {
		name     string
		tty      bool
		answers  []prompt.Answer
		env      bool // $IMICTL_PASSWORD_FILE names the password file
		args     []string
		password string // "" means unencrypted
		stderr   string
	}{
		{"pipe, password file", false, nil, false, []string{"--password-file", "PW"}, password, ""},
		{"pipe, password file from the environment", false, nil, true, nil, password, ""},
		{"terminal, password asked twice", true, newPassword, false, nil, password, ""},
		{"terminal, password file", true, nil, false, []string{"--password-file", "PW"}, password, ""},
		{"pipe, unencrypted", false, nil, false, []string{"--no-password", "--insecure"}, "",
			"Warning: the key is not encrypted: anyone who can read the file can sign as its owner.\n"},
		{"terminal, unencrypted", true, nil, false, []string{"--no-password", "--insecure"}, "",
			"Warning: the key is not encrypted: anyone who can read the file can sign as its owner.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			pw := passwordFile(t, dir)
			out := filepath.Join(dir, "server.key")
			args := []string{"key", "gen", "--out", out}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "PW", pw))
			}
			p := prompt.NewScripted(tt.answers...)
			opts := cmdtest.Options{TTY: tt.tty, Prompter: p}
			if tt.env {
				opts.Env = map[string]string{cmdutil.PasswordFileEnv: pw}
			}
			res := cmdtest.Run(t, opts, args...)
			res.Expect(t, 0)
			if err := p.Done(); err != nil {
				t.Error(err)
			}
			k := readBack(t, out, tt.password)
			if want := infoTable(out, "PKCS#8", tt.password != "", fingerprints(t, k)); res.Stdout != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
			}
			if res.Stderr != tt.stderr {
				t.Errorf("stderr = %q, want %q", res.Stderr, tt.stderr)
			}
		})
	}
}

func TestGenJSON(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "server.key")
	res := cmdtest.Run(t, cmdtest.Options{}, "key", "gen", "--out", out, "--password-file", passwordFile(t, dir), "-o", "json")
	res.Expect(t, 0)
	fp := fingerprints(t, readBack(t, out, password))
	want := `{
  "file": "` + out + `",
  "type": "SM2",
  "curve": "sm2p256v1",
  "encoding": "PKCS#8",
  "encrypted": true,
  "fingerprints": {
    "sha256": "` + fp.SHA256 + `",
    "sm3": "` + fp.SM3 + `"
  }
}
`
	if res.Stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
	}
	var info key.Info
	if err := json.Unmarshal([]byte(res.Stdout), &info); err != nil || info.Fingerprints == nil {
		t.Fatalf("not an Info: %v", err)
	}
}

func TestGenToStdout(t *testing.T) {
	dir := t.TempDir()
	res := cmdtest.Run(t, cmdtest.Options{}, "key", "gen", "--out", "-", "--password-file", passwordFile(t, dir))
	res.Expect(t, 0)
	if _, err := pki.DecodePrivateKeyPEM([]byte(res.Stdout), []byte(password)); err != nil {
		t.Fatalf("stdout is not the encrypted key: %v\n%s", err, res.Stdout)
	}
	if res.Stderr != "" {
		t.Errorf("stderr = %q", res.Stderr)
	}
}

// Every refusal leaves the output file as it was (absent, or untouched)
// and asks no question.
func TestGenRefusals(t *testing.T) {
	tests := []struct {
		name     string
		tty      bool
		existing bool
		args     []string
		code     int
		stderr   string // first line
	}{
		{"--no-password without --insecure", true, false, []string{"--no-password"}, cmdutil.ExitUsage,
			"imictl: --no-password writes the private key unencrypted: add --insecure to confirm, or drop --no-password to protect it with a password"},
		{"--insecure alone", false, false, []string{"--insecure", "--password-file", "PW"}, cmdutil.ExitUsage,
			"imictl: --insecure only confirms --no-password: pass both, or neither"},
		{"--no-password with a password file", false, false, []string{"--no-password", "--insecure", "--password-file", "PW"}, cmdutil.ExitUsage,
			"imictl: if any flags in the group [no-password password-file] are set none of the others can be; [no-password password-file] were all set"},
		{"no password in a pipe", false, false, nil, cmdutil.ExitUsage,
			"imictl: a password is needed and there is no terminal to ask: pass --password-file FILE (or set IMICTL_PASSWORD_FILE)"},
		{"no password with --no-input", true, false, []string{"--no-input"}, cmdutil.ExitUsage,
			"imictl: a password is needed and there is no terminal to ask: pass --password-file FILE (or set IMICTL_PASSWORD_FILE)"},
		{"empty password file", false, false, []string{"--password-file", "EMPTY"}, cmdutil.ExitFailure,
			"imictl: password file EMPTY: first line is empty; put the password on the first line"},
		{"missing password file", false, false, []string{"--password-file", "MISSING"}, cmdutil.ExitFailure,
			"imictl: cannot read password file MISSING: no such file or directory: check --password-file (or IMICTL_PASSWORD_FILE)"},
		{"output exists", true, true, []string{"--no-password", "--insecure"}, cmdutil.ExitFailure,
			"imictl: OUT already exists: pass --force to overwrite it"},
		{"output exists, before the password prompt", true, true, nil, cmdutil.ExitFailure,
			"imictl: OUT already exists: pass --force to overwrite it"},
		{"-o json with --out -", false, false, []string{"--out", "-", "-o", "json", "--password-file", "PW"}, cmdutil.ExitUsage,
			"imictl: with --out - the key itself is the output: drop -o, or write the key to a file"},
		{"output directory missing", false, false, []string{"--out", "NODIR/k.pem", "--password-file", "PW"}, cmdutil.ExitFailure,
			"imictl: cannot write NODIR/k.pem: no such file or directory: create NODIR first, or check the path"},
		{"unknown output format", false, false, []string{"-o", "pem", "--password-file", "PW"}, cmdutil.ExitUsage,
			`imictl: invalid value "pem" for -o/--output: imictl key gen accepts table, json, yaml`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "server.key")
			subst := strings.NewReplacer("PW", passwordFile(t, dir), "EMPTY", cmdtest.WriteFile(t, dir, "empty", []byte("\n")),
				"MISSING", filepath.Join(dir, "missing"), "NODIR", filepath.Join(dir, "nodir"), "OUT", out)
			if tt.existing {
				cmdtest.WriteFile(t, dir, "server.key", []byte("keep me"))
			}
			args := []string{"key", "gen"}
			if !strings.Contains(strings.Join(tt.args, " "), "--out") {
				args = append(args, "--out", out)
			}
			for _, a := range tt.args {
				args = append(args, subst.Replace(a))
			}
			res := cmdtest.Run(t, cmdtest.Options{TTY: tt.tty}, args...)
			res.Expect(t, tt.code)
			if first, _, _ := strings.Cut(res.Stderr, "\n"); first != subst.Replace(tt.stderr) {
				t.Errorf("stderr first line = %q\nwant %q", first, subst.Replace(tt.stderr))
			}
			if res.Stdout != "" {
				t.Errorf("stdout = %q", res.Stdout)
			}
			if tt.existing {
				if got := string(cmdtest.ReadFile(t, out)); got != "keep me" {
					t.Errorf("existing file changed to %q", got)
				}
			} else if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was written: %v", out, err)
			}
			assertNoTempFiles(t, dir)
		})
	}
}

func TestGenForceOverwrites(t *testing.T) {
	dir := t.TempDir()
	out := cmdtest.WriteFile(t, dir, "server.key", []byte("old"))
	res := cmdtest.Run(t, cmdtest.Options{}, "key", "gen", "--out", out, "--password-file", passwordFile(t, dir), "--force")
	res.Expect(t, 0)
	readBack(t, out, password)
}

func TestGenRequiresOut(t *testing.T) {
	res := cmdtest.Run(t, cmdtest.Options{}, "key", "gen", "--no-password", "--insecure")
	res.Expect(t, cmdutil.ExitUsage)
	if first, _, _ := strings.Cut(res.Stderr, "\n"); first != `imictl: required flag(s) "out" not set` {
		t.Errorf("stderr = %q", res.Stderr)
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

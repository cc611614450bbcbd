package key_test

import (
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/prompt"
)

func TestPub(t *testing.T) {
	dir := t.TempDir()
	pw := passwordFile(t, dir)
	plainPath, plain := cmdtest.KeyFile(t, dir, "plain.key", "")
	encPath, enc := cmdtest.KeyFile(t, dir, "enc.key", password)
	ask := []prompt.Answer{{Title: "Password for " + encPath, Value: password}}

	tests := []struct {
		name    string
		tty     bool
		stdin   string
		answers []prompt.Answer
		args    []string
		want    string
	}{
		{"pipe, plain key", false, "", nil, []string{plainPath}, pubPEM(t, plain)},
		{"terminal, plain key", true, "", nil, []string{plainPath}, pubPEM(t, plain)},
		{"pipe, plain key on stdin", false, string(cmdtest.ReadFile(t, plainPath)), nil, []string{"-"}, pubPEM(t, plain)},
		{"pipe, encrypted key, password file", false, "", nil, []string{encPath, "--password-file", pw}, pubPEM(t, enc)},
		{"terminal, encrypted key, password asked", true, "", ask, []string{encPath}, pubPEM(t, enc)},
		{"terminal, encrypted key, password file", true, "", nil, []string{encPath, "--password-file", pw}, pubPEM(t, enc)},
		{"table", false, "", nil, []string{plainPath, "-o", "table"}, "" +
			"File:                 " + plainPath + "\n" +
			"Public key SHA-256:   " + fingerprints(t, plain).SHA256 + "\n" +
			"Public key SM3:       " + fingerprints(t, plain).SM3 + "\n"},
		{"json", false, "", nil, []string{plainPath, "-o", "json"}, `{
  "file": "` + plainPath + `",
  "pem": "` + strings.ReplaceAll(pubPEM(t, plain), "\n", `\n`) + `",
  "fingerprints": {
    "sha256": "` + fingerprints(t, plain).SHA256 + `",
    "sm3": "` + fingerprints(t, plain).SM3 + `"
  }
}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prompt.NewScripted(tt.answers...)
			res := cmdtest.Run(t, cmdtest.Options{TTY: tt.tty, Stdin: tt.stdin, Prompter: p}, append([]string{"key", "pub"}, tt.args...)...)
			res.Expect(t, 0)
			if res.Stdout != tt.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, tt.want)
			}
			if res.Stderr != "" {
				t.Errorf("stderr = %q", res.Stderr)
			}
			if err := p.Done(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestPubNeedsPassword(t *testing.T) {
	dir := t.TempDir()
	encPath, _ := cmdtest.KeyFile(t, dir, "enc.key", password)
	for _, tt := range []struct {
		name string
		tty  bool
		args []string
	}{
		{"pipe", false, nil},
		{"terminal with --no-input", true, []string{"--no-input"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{TTY: tt.tty}, append([]string{"key", "pub", encPath}, tt.args...)...)
			res.Expect(t, cmdutil.ExitUsage)
			want := "imictl: a password is needed and there is no terminal to ask: pass --password-file FILE (or set IMICTL_PASSWORD_FILE)"
			if first, _, _ := strings.Cut(res.Stderr, "\n"); first != want {
				t.Errorf("stderr = %q", res.Stderr)
			}
		})
	}
}

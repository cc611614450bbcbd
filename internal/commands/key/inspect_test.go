package key_test

import (
	"crypto/rand"
	"encoding/pem"
	"testing"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/prompt"
)

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	pw := passwordFile(t, dir)
	plainPath, plain := cmdtest.KeyFile(t, dir, "plain.key", "")
	encPath, enc := cmdtest.KeyFile(t, dir, "enc.key", password)
	sec1, err := smx509.MarshalSM2PrivateKey(plain)
	if err != nil {
		t.Fatal(err)
	}
	sec1Path := cmdtest.WriteFile(t, dir, "sec1.key", pemBlock("EC PRIVATE KEY", sec1))
	ask := []prompt.Answer{{Title: "Password for " + encPath, Value: password}}
	partial := "" +
		"File:        " + encPath + "\n" +
		"Encoding:    PKCS#8\n" +
		"Encrypted:   yes\n"
	note := encPath + " is encrypted: pass --password-file FILE to show its type, curve and fingerprints.\n"

	tests := []struct {
		name    string
		tty     bool
		stdin   string
		env     map[string]string
		answers []prompt.Answer
		args    []string
		stdout  string
		stderr  string
	}{
		{"pipe, plain PKCS#8", false, "", nil, nil, []string{plainPath}, infoTable(plainPath, "PKCS#8", false, fingerprints(t, plain)), ""},
		{"terminal, plain PKCS#8", true, "", nil, nil, []string{plainPath}, infoTable(plainPath, "PKCS#8", false, fingerprints(t, plain)), ""},
		{"pipe, SEC1", false, "", nil, nil, []string{sec1Path}, infoTable(sec1Path, "SEC1", false, fingerprints(t, plain)), ""},
		{"pipe, stdin", false, string(cmdtest.ReadFile(t, plainPath)), nil, nil, []string{"-"}, infoTable("-", "PKCS#8", false, fingerprints(t, plain)), ""},
		{"pipe, encrypted, password file", false, "", nil, nil, []string{encPath, "--password-file", pw}, infoTable(encPath, "PKCS#8", true, fingerprints(t, enc)), ""},
		{"pipe, encrypted, password file from the environment", false, "", map[string]string{cmdutil.PasswordFileEnv: pw}, nil, []string{encPath},
			infoTable(encPath, "PKCS#8", true, fingerprints(t, enc)), ""},
		{"terminal, encrypted, password asked", true, "", nil, ask, []string{encPath}, infoTable(encPath, "PKCS#8", true, fingerprints(t, enc)), ""},
		{"pipe, encrypted, no password", false, "", nil, nil, []string{encPath}, partial, note},
		{"terminal, encrypted, --no-input", true, "", nil, nil, []string{encPath, "--no-input"}, partial, note},
		{"json, encrypted, no password", false, "", nil, nil, []string{encPath, "-o", "json"}, `{
  "file": "` + encPath + `",
  "encoding": "PKCS#8",
  "encrypted": true
}
`, note},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prompt.NewScripted(tt.answers...)
			res := cmdtest.Run(t, cmdtest.Options{TTY: tt.tty, Stdin: tt.stdin, Env: tt.env, Prompter: p}, append([]string{"key", "inspect"}, tt.args...)...)
			res.Expect(t, 0)
			if res.Stdout != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, tt.stdout)
			}
			if res.Stderr != tt.stderr {
				t.Errorf("stderr = %q, want %q", res.Stderr, tt.stderr)
			}
			if err := p.Done(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestInspectEncryptedSEC1WithoutPassword(t *testing.T) {
	dir := t.TempDir()
	_, k := cmdtest.KeyFile(t, dir, "unused", "")
	der, _ := smx509.MarshalSM2PrivateKey(k)
	// Legacy RFC 1423 encryption ("Proc-Type: 4,ENCRYPTED"), as `openssl ec
	// -aes256` writes it.
	block, err := smx509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", der, []byte(password), smx509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	path := cmdtest.WriteFile(t, dir, "legacy.key", pem.EncodeToMemory(block))
	res := cmdtest.Run(t, cmdtest.Options{}, "key", "inspect", path, "-o", "yaml")
	res.Expect(t, 0)
	if want := "file: " + path + "\nencoding: SEC1\nencrypted: true\n"; res.Stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
	}
	pw := passwordFile(t, dir)
	res = cmdtest.Run(t, cmdtest.Options{}, "key", "inspect", path, "--password-file", pw)
	res.Expect(t, 0)
	if want := infoTable(path, "SEC1", true, fingerprints(t, k)); res.Stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
	}
}

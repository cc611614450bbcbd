package csr_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/prompt"
)

func TestCreate(t *testing.T) {
	dir := t.TempDir()
	pw := passwordFile(t, dir)
	plainPath, plain := cmdtest.KeyFile(t, dir, "plain.key", "")
	encPath, enc := cmdtest.KeyFile(t, dir, "enc.key", password)
	tests := []struct {
		name    string
		tty     bool
		answers []prompt.Answer
		args    []string
		subject string
		dns     string
		uris    string
	}{
		{"pipe, plain key", false, nil, []string{"--key", plainPath, "--server-id", "srv1"},
			"CN=srv1", "none", "urn:imi:server:srv1"},
		{"terminal, plain key", true, nil, []string{"--key", plainPath, "--server-id", "srv1"},
			"CN=srv1", "none", "urn:imi:server:srv1"},
		{"pipe, encrypted key, every subject field and SAN", false, nil, []string{
			"--key", encPath, "--password-file", pw, "--server-id", "vrv_linkdood", "--name", "VRV Tech", "--country", "CN",
			"--province", "Beijing", "--locality", "Haidian", "--org-unit", "IM", "--dns", "im.example.com,*.im.example.com",
			"--dns", "im2.example.com", "--uri", "https://im.example.com/sns", "--uri", "urn:example:a,b"},
			"CN=vrv_linkdood,OU=IM,O=VRV Tech,L=Haidian,ST=Beijing,C=CN", "im.example.com, *.im.example.com, im2.example.com",
			"urn:imi:server:vrv_linkdood, https://im.example.com/sns, urn:example:a,b"},
		{"terminal, server id and password asked", true, []prompt.Answer{
			{Title: "Server id", Value: "center-im"},
			{Title: "Password for " + encPath, Value: password}}, []string{"--key", encPath},
			"CN=center-im", "none", "urn:imi:server:center-im"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "server.csr")
			p := prompt.NewScripted(tt.answers...)
			res := cmdtest.Run(t, cmdtest.Options{TTY: tt.tty, Prompter: p}, append([]string{"csr", "create", "--out", out}, tt.args...)...)
			res.Expect(t, 0)
			if err := p.Done(); err != nil {
				t.Error(err)
			}
			csr, id := parseCSR(t, cmdtest.ReadFile(t, out))
			k := plain
			if strings.Contains(strings.Join(tt.args, " "), encPath) {
				k = enc
			}
			if !k.PublicKey.Equal(csr.PublicKey) {
				t.Error("the request is not for the given key")
			}
			want := csrTable(out, id, tt.subject, tt.dns, tt.uris, "SM2-SM3, valid", fingerprints(t, k))
			if res.Stdout != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
			}
			if res.Stderr != "" {
				t.Errorf("stderr = %q", res.Stderr)
			}
			if st, _ := os.Stat(out); st.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644 (a request is public)", st.Mode().Perm())
			}
		})
	}
}

func TestCreateJSONAndStdout(t *testing.T) {
	dir := t.TempDir()
	keyPath, k := cmdtest.KeyFile(t, dir, "plain.key", "")
	out := filepath.Join(dir, "server.csr")
	res := cmdtest.Run(t, cmdtest.Options{}, "csr", "create", "--key", keyPath, "--server-id", "srv1", "--name", "Srv", "--out", out, "-o", "json")
	res.Expect(t, 0)
	fp := fingerprints(t, k)
	want := `{
  "file": "` + out + `",
  "serverId": "srv1",
  "subject": "CN=srv1,O=Srv",
  "dnsNames": [],
  "uris": [
    "urn:imi:server:srv1"
  ],
  "signatureAlgorithm": "SM2-SM3",
  "signatureValid": true,
  "problems": [],
  "publicKeyFingerprints": {
    "sha256": "` + fp.SHA256 + `",
    "sm3": "` + fp.SM3 + `"
  }
}
`
	if res.Stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
	}

	res = cmdtest.Run(t, cmdtest.Options{}, "csr", "create", "--key", keyPath, "--server-id", "srv2", "--out", "-")
	res.Expect(t, 0)
	if _, id := parseCSR(t, []byte(res.Stdout)); id != "srv2" {
		t.Errorf("serverId %q", id)
	}
	if res.Stderr != "" {
		t.Errorf("stderr = %q", res.Stderr)
	}
}

// Every refusal writes nothing and asks nothing it should not.
func TestCreateRefusals(t *testing.T) {
	dir := t.TempDir()
	plainPath, _ := cmdtest.KeyFile(t, dir, "plain.key", "")
	encPath, _ := cmdtest.KeyFile(t, dir, "enc.key", password)
	wrongPW := cmdtest.WriteFile(t, dir, "wrong-pw", []byte("nope\n"))
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p256DER, _ := x509.MarshalPKCS8PrivateKey(p256)
	p256Path := cmdtest.WriteFile(t, dir, "p256.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p256DER}))
	full := cmdtest.ReadFile(t, plainPath)
	truncated := cmdtest.WriteFile(t, dir, "truncated.key", full[:len(full)/2])
	missing := filepath.Join(dir, "missing.key")

	tests := []struct {
		name     string
		tty      bool
		existing bool
		args     []string
		code     int
		stderr   string
	}{
		{"serverId with a dot", false, false, []string{"--key", plainPath, "--server-id", "vrv.linkdood"}, cmdutil.ExitUsage,
			`imictl: invalid --server-id: serverId "vrv.linkdood" is invalid: only letters, digits, '_' and '-' are allowed (e.g. vrv_linkdood)`},
		{"serverId in Chinese", false, false, []string{"--key", plainPath, "--server-id", "即时通讯"}, cmdutil.ExitUsage,
			`imictl: invalid --server-id: serverId "即时通讯" is invalid: only letters, digits, '_' and '-' are allowed (e.g. vrv_linkdood)`},
		{"serverId too long", false, false, []string{"--key", plainPath, "--server-id", strings.Repeat("a", 65)}, cmdutil.ExitUsage,
			`imictl: invalid --server-id: serverId "` + strings.Repeat("a", 65) + `" is 65 characters long: at most 64 are allowed`},
		{"no serverId in a pipe", false, false, []string{"--key", plainPath}, cmdutil.ExitUsage,
			"imictl: --server-id is required (no terminal to ask for it)"},
		{"no serverId with --no-input", true, false, []string{"--key", plainPath, "--no-input"}, cmdutil.ExitUsage,
			"imictl: --server-id is required (no terminal to ask for it)"},
		{"no key", false, false, []string{"--server-id", "srv1"}, cmdutil.ExitUsage,
			`imictl: required flag(s) "key" not set`},
		{"bad country", false, false, []string{"--key", plainPath, "--server-id", "srv1", "--country", "China"}, cmdutil.ExitUsage,
			`imictl: invalid --country "China": give a two-letter ISO 3166 code such as CN`},
		{"bad DNS name", false, false, []string{"--key", plainPath, "--server-id", "srv1", "--dns", "https://im.example.com"}, cmdutil.ExitUsage,
			`imictl: invalid --dns "https://im.example.com": give a host name such as im.example.com`},
		{"relative URI", false, false, []string{"--key", plainPath, "--server-id", "srv1", "--uri", "im.example.com"}, cmdutil.ExitUsage,
			`imictl: invalid --uri "im.example.com": give an absolute URI such as https://im.example.com`},
		{"serverId URI", false, false, []string{"--key", plainPath, "--server-id", "srv1", "--uri", "urn:imi:server:other"}, cmdutil.ExitUsage,
			"imictl: --uri urn:imi:server:other: the serverId URI is added from --server-id; drop this --uri"},
		{"-o json with --out -", false, false, []string{"--key", plainPath, "--server-id", "srv1", "--out", "-", "-o", "json"}, cmdutil.ExitUsage,
			"imictl: with --out - the request itself is the output: drop -o, or write the request to a file"},
		{"wrong password", false, false, []string{"--key", encPath, "--server-id", "srv1", "--password-file", wrongPW}, cmdutil.ExitAuth,
			"imictl: " + encPath + ": wrong password for the private key (or the key file is damaged) (reason: bad_password)"},
		{"no password in a pipe", false, false, []string{"--key", encPath, "--server-id", "srv1"}, cmdutil.ExitUsage,
			"imictl: a password is needed and there is no terminal to ask: pass --password-file FILE (or set IMICTL_PASSWORD_FILE)"},
		{"missing key file", false, false, []string{"--key", missing, "--server-id", "srv1"}, cmdutil.ExitFailure,
			"imictl: cannot read " + missing + ": no such file or directory: check the path"},
		{"P-256 key", false, false, []string{"--key", p256Path, "--server-id", "srv1"}, cmdutil.ExitFailure,
			"imictl: " + p256Path + ": expected an SM2 private key, found an ECDSA key on curve P-256"},
		{"truncated key", false, false, []string{"--key", truncated, "--server-id", "srv1"}, cmdutil.ExitFailure,
			"imictl: " + truncated + ": expected an SM2 private key in PEM, found a truncated or damaged PEM block (its END line or base64 body is broken)"},
		{"output exists, before the password prompt", true, true, []string{"--key", encPath, "--server-id", "srv1"}, cmdutil.ExitFailure,
			"imictl: OUT already exists: pass --force to overwrite it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outDir := t.TempDir()
			out := filepath.Join(outDir, "server.csr")
			if tt.existing {
				cmdtest.WriteFile(t, outDir, "server.csr", []byte("keep me"))
			}
			args := []string{"csr", "create"}
			if !strings.Contains(strings.Join(tt.args, " "), "--out") {
				args = append(args, "--out", out)
			}
			res := cmdtest.Run(t, cmdtest.Options{TTY: tt.tty}, append(args, tt.args...)...)
			res.Expect(t, tt.code)
			if want := strings.ReplaceAll(tt.stderr, "OUT", out); firstLine(res.Stderr) != want {
				t.Errorf("stderr first line = %q\nwant %q", firstLine(res.Stderr), want)
			}
			if res.Stdout != "" {
				t.Errorf("stdout = %q", res.Stdout)
			}
			if tt.existing {
				if got := string(cmdtest.ReadFile(t, out)); got != "keep me" {
					t.Errorf("existing file changed to %q", got)
				}
			} else if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
				t.Errorf("files written: %v", entries)
			}
		})
	}
}

func TestCreateForceOverwrites(t *testing.T) {
	dir := t.TempDir()
	keyPath, _ := cmdtest.KeyFile(t, dir, "plain.key", "")
	out := cmdtest.WriteFile(t, dir, "server.csr", []byte("old"))
	cmdtest.Run(t, cmdtest.Options{}, "csr", "create", "--key", keyPath, "--server-id", "srv1", "--out", out, "--force").Expect(t, 0)
	if _, id := parseCSR(t, cmdtest.ReadFile(t, out)); id != "srv1" {
		t.Errorf("serverId %q", id)
	}
}

package cert_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/pki"
)

func TestFingerprint(t *testing.T) {
	leafPath, rootPath := fixture(t, "leaf.crt"), fixture(t, "root.crt")
	leaf, _ := pki.ParseCertificatePEM(cmdtest.ReadFile(t, leafPath))
	root, _ := pki.ParseCertificatePEM(cmdtest.ReadFile(t, rootPath))
	bundle := cmdtest.WriteFile(t, t.TempDir(), "bundle.pem", append(cmdtest.ReadFile(t, leafPath), cmdtest.ReadFile(t, rootPath)...))
	sha := sha256.Sum256(leaf.Raw)
	rootSHA := sha256.Sum256(root.Raw)
	sm3 := hex.EncodeToString(pki.FingerprintSM3(leaf.Raw))
	colon, _ := pki.FormatFingerprint(sha[:], "colon")
	subject := "CN=vrv_linkdood,OU=IM,O=VRV Tech,L=Haidian,ST=Beijing,C=CN"

	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"default: SHA-256 hex", "", []string{leafPath}, hex.EncodeToString(sha[:]) + "\n"},
		{"--sm3", "", []string{leafPath, "--sm3"}, sm3 + "\n"},
		{"--alg sm3", "", []string{leafPath, "--alg", "sm3"}, sm3 + "\n"},
		{"--sm3 with --alg sm3", "", []string{leafPath, "--alg", "sm3", "--sm3"}, sm3 + "\n"},
		{"colon", "", []string{leafPath, "--encoding", "colon"}, colon + "\n"},
		{"base64", "", []string{leafPath, "--encoding", "base64"}, base64.StdEncoding.EncodeToString(sha[:]) + "\n"},
		{"base64url", "", []string{leafPath, "--encoding", "base64url"}, base64.RawURLEncoding.EncodeToString(sha[:]) + "\n"},
		{"stdin", string(cmdtest.ReadFile(t, leafPath)), []string{"-"}, hex.EncodeToString(sha[:]) + "\n"},
		{"DER on stdin", string(leaf.Raw), []string{"-"}, hex.EncodeToString(sha[:]) + "\n"},
		{"bundle", "", []string{bundle, "--bundle"}, hex.EncodeToString(sha[:]) + "\n" + hex.EncodeToString(rootSHA[:]) + "\n"},
		{"table", "", []string{leafPath, "-o", "table"}, "" +
			"SUBJECT" + strings.Repeat(" ", len(subject)-4) + "ALGORITHM   FINGERPRINT\n" +
			subject + "   sha256      " + hex.EncodeToString(sha[:]) + "\n"},
		{"json", "", []string{leafPath, "-o", "json", "--sm3"}, `{
  "subject": "` + subject + `",
  "algorithm": "sm3",
  "encoding": "hex",
  "fingerprint": "` + sm3 + `"
}
`},
		{"json bundle", "", []string{bundle, "--bundle", "-o", "json"}, `[
  {
    "subject": "` + subject + `",
    "algorithm": "sha256",
    "encoding": "hex",
    "fingerprint": "` + hex.EncodeToString(sha[:]) + `"
  },
  {
    "subject": "CN=imictl test root",
    "algorithm": "sha256",
    "encoding": "hex",
    "fingerprint": "` + hex.EncodeToString(rootSHA[:]) + `"
  }
]
`},
	}
	for _, tt := range tests {
		for _, tty := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{false: ", pipe", true: ", terminal"}[tty], func(t *testing.T) {
				res := cmdtest.Run(t, cmdtest.Options{TTY: tty, Stdin: tt.stdin}, append([]string{"cert", "fingerprint"}, tt.args...)...)
				res.Expect(t, 0)
				if res.Stdout != tt.want {
					t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, tt.want)
				}
				if res.Stderr != "" {
					t.Errorf("stderr = %q", res.Stderr)
				}
			})
		}
	}

	res := cmdtest.Run(t, cmdtest.Options{}, "cert", "fingerprint", bundle)
	res.Expect(t, 0)
	if res.Stdout != hex.EncodeToString(sha[:])+"\n" || res.Stderr != bundle+" holds 2 certificates; showing the first (--bundle shows all).\n" {
		t.Errorf("first of a bundle: %q %q", res.Stdout, res.Stderr)
	}
}

func TestFingerprintRefusals(t *testing.T) {
	leaf := fixture(t, "leaf.crt")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{leaf, "--sm3", "--alg", "sha256"}, "imictl: --sm3 contradicts --alg sha256: pass one of them"},
		{[]string{leaf, "--alg", "md5"}, `imictl: invalid --alg "md5": use sha256 or sm3`},
		{[]string{leaf, "--encoding", "emoji"}, `imictl: invalid --encoding "emoji": use one of hex, colon, base64, base64url`},
		{[]string{leaf, "-o", "pem"}, `imictl: invalid value "pem" for -o/--output: imictl cert fingerprint accepts text, table, json, yaml`},
	} {
		res := cmdtest.Run(t, cmdtest.Options{}, append([]string{"cert", "fingerprint"}, tt.args...)...)
		res.Expect(t, cmdutil.ExitUsage)
		if firstLine(res.Stderr) != tt.want {
			t.Errorf("%v: stderr = %q", tt.args, firstLine(res.Stderr))
		}
	}
	for _, bc := range badCerts(t) {
		res := cmdtest.Run(t, cmdtest.Options{}, "cert", "fingerprint", bc.path)
		res.Expect(t, cmdutil.ExitFailure)
		if want := "imictl: " + bc.msg + "\n"; res.Stderr != want {
			t.Errorf("%s: stderr = %q\nwant     %q", bc.name, res.Stderr, want)
		}
	}
}

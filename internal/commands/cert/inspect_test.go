package cert_test

import (
	"path/filepath"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/pki"
)

func TestInspectGolden(t *testing.T) {
	leaf, root, other := fixture(t, "leaf.crt"), fixture(t, "root.crt"), fixture(t, "other.crt")
	bundle := cmdtest.WriteFile(t, t.TempDir(), "bundle.pem", append(cmdtest.ReadFile(t, leaf), cmdtest.ReadFile(t, root)...))
	tests := []struct {
		golden string
		args   []string
	}{
		{"leaf.txt", []string{leaf}},
		{"leaf-short.txt", []string{leaf, "--short"}},
		{"leaf-short.txt", []string{leaf, "-o", "table"}},
		{"leaf-short.txt", []string{leaf, "-o", "table", "--short"}},
		{"leaf.json", []string{leaf, "-o", "json"}},
		{"leaf.yaml", []string{leaf, "-o", "yaml"}},
		{"root.txt", []string{root}},
		{"other.txt", []string{other}},
		{"other-short.txt", []string{other, "--short"}},
		{"bundle.txt", []string{bundle, "--bundle"}},
		{"bundle-short.txt", []string{bundle, "--bundle", "--short"}},
		{"bundle.json", []string{bundle, "--bundle", "-o", "json"}},
	}
	for _, tt := range tests {
		for _, tty := range []bool{false, true} {
			t.Run(tt.golden+map[bool]string{false: " pipe", true: " terminal"}[tty], func(t *testing.T) {
				res := cmdtest.Run(t, cmdtest.Options{TTY: tty}, append([]string{"cert", "inspect"}, tt.args...)...)
				res.Expect(t, 0)
				cmdtest.Golden(t, tt.golden, res.Stdout)
				if res.Stderr != "" {
					t.Errorf("stderr = %q", res.Stderr)
				}
			})
		}
	}
}

func TestInspectInputs(t *testing.T) {
	leafPath := fixture(t, "leaf.crt")
	leafPEM := cmdtest.ReadFile(t, leafPath)
	leaf, err := pki.ParseCertificatePEM(leafPEM)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	derPath := cmdtest.WriteFile(t, dir, "leaf.der", leaf.Raw)
	bundle := cmdtest.WriteFile(t, dir, "bundle.pem", append(append([]byte{}, leafPEM...), cmdtest.ReadFile(t, fixture(t, "root.crt"))...))
	short := string(cmdtest.ReadFile(t, filepath.Join("testdata", "leaf-short.txt")))

	tests := []struct {
		name   string
		stdin  string
		args   []string
		stdout string
		stderr string
	}{
		{"DER to PEM", "", []string{derPath, "-o", "pem"}, string(leafPEM), ""},
		{"stdin", string(leafPEM), []string{"-", "--short"}, short, ""},
		{"DER on stdin", string(leaf.Raw), []string{"-", "--short"}, short, ""},
		{"first of a bundle", "", []string{bundle, "--short"}, short,
			bundle + " holds 2 certificates; showing the first (--bundle shows all).\n"},
		{"bundle as PEM", "", []string{bundle, "--bundle", "-o", "pem"}, string(cmdtest.ReadFile(t, bundle)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{Stdin: tt.stdin}, append([]string{"cert", "inspect"}, tt.args...)...)
			res.Expect(t, 0)
			if res.Stdout != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, tt.stdout)
			}
			if res.Stderr != tt.stderr {
				t.Errorf("stderr = %q, want %q", res.Stderr, tt.stderr)
			}
		})
	}
}

// badCerts are the inputs every command reading a certificate refuses,
// with the message (after "imictl: ") each gives.
func badCerts(t *testing.T) []struct{ name, path, msg string } {
	t.Helper()
	dir := t.TempDir()
	leafPEM := cmdtest.ReadFile(t, fixture(t, "leaf.crt"))
	missing := filepath.Join(dir, "missing.crt")
	k, _ := pki.GenerateKey()
	keyPEM, _ := pki.EncodePrivateKeyPEM(k, nil)
	file := func(name string, data []byte) string { return cmdtest.WriteFile(t, dir, name, data) }
	return []struct{ name, path, msg string }{
		{"missing file", missing, "cannot read " + missing + ": no such file or directory: check the path"},
		{"truncated PEM", file("truncated.crt", leafPEM[:len(leafPEM)/2]),
			dir + "/truncated.crt: expected a certificate, found a truncated or damaged PEM block (its END line or base64 body is broken)"},
		{"a key", file("key.pem", keyPEM), dir + `/key.pem: expected a certificate, found a PEM block of type "PRIVATE KEY"`},
		{"empty file", file("empty.crt", nil), dir + "/empty.crt: expected a certificate, found an empty input"},
		{"garbage DER", file("garbage.der", []byte("not a certificate")),
			dir + "/garbage.der: cannot parse the certificate: x509: malformed certificate"},
	}
}

func TestInspectBadInput(t *testing.T) {
	for _, bc := range badCerts(t) {
		t.Run(bc.name, func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{}, "cert", "inspect", bc.path)
			res.Expect(t, cmdutil.ExitFailure)
			if want := "imictl: " + bc.msg + "\n"; res.Stderr != want {
				t.Errorf("stderr = %q\nwant     %q", res.Stderr, want)
			}
			if res.Stdout != "" {
				t.Errorf("stdout = %q", res.Stdout)
			}
		})
	}
}

func TestInspectUsage(t *testing.T) {
	leaf := fixture(t, "leaf.crt")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{leaf, "--short", "-o", "json"}, "imictl: --short shortens -o text and table; -o json always prints everything"},
		{[]string{leaf, "-o", "xml"}, `imictl: invalid value "xml" for -o/--output: imictl cert inspect accepts text, table, json, yaml, pem`},
		{[]string{}, "imictl: accepts 1 arg(s), received 0"},
	} {
		res := cmdtest.Run(t, cmdtest.Options{}, append([]string{"cert", "inspect"}, tt.args...)...)
		res.Expect(t, cmdutil.ExitUsage)
		if firstLine(res.Stderr) != tt.want {
			t.Errorf("%v: stderr = %q", tt.args, firstLine(res.Stderr))
		}
	}
}

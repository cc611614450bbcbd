package key_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// badKeys writes the bad inputs every key-reading command must refuse, by
// name, with the first line of stderr and the exit code each must give.
func badKeys(t *testing.T, dir string) []badKey {
	t.Helper()
	enc, _ := cmdtest.KeyFile(t, dir, "enc.key", password)
	plain, _ := cmdtest.KeyFile(t, dir, "plain.key", "")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaDER, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p256DER, _ := x509.MarshalPKCS8PrivateKey(p256)
	p256SEC1, _ := x509.MarshalECPrivateKey(p256)
	full := string(cmdtest.ReadFile(t, plain))
	wrongPW := cmdtest.WriteFile(t, dir, "wrong-pw", []byte("not the password\n"))
	missing := filepath.Join(dir, "missing.key")

	file := func(name string, data []byte) string { return cmdtest.WriteFile(t, dir, name, data) }
	return []badKey{
		{"wrong password", enc, []string{"--password-file", wrongPW}, cmdutil.ExitAuth,
			enc + ": wrong password for the private key (or the key file is damaged) (reason: bad_password)"},
		{"missing file", missing, nil, cmdutil.ExitFailure,
			"cannot read " + missing + ": no such file or directory: check the path"},
		{"RSA key", file("rsa.key", pemBlock("PRIVATE KEY", rsaDER)), nil, cmdutil.ExitFailure,
			dir + "/rsa.key: expected an SM2 private key, found an RSA private key"},
		{"RSA PKCS#1 key", file("rsa1.key", pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey))), nil, cmdutil.ExitFailure,
			dir + "/rsa1.key: expected an SM2 private key, found an RSA private key"},
		{"P-256 key", file("p256.key", pemBlock("PRIVATE KEY", p256DER)), nil, cmdutil.ExitFailure,
			dir + "/p256.key: expected an SM2 private key, found an ECDSA key on curve P-256"},
		{"P-256 SEC1 key", file("p256-sec1.key", pemBlock("EC PRIVATE KEY", p256SEC1)), nil, cmdutil.ExitFailure,
			dir + "/p256-sec1.key: expected an SM2 private key, found an ECDSA key on curve P-256"},
		{"truncated PEM", file("truncated.key", []byte(full[:len(full)/2])), nil, cmdutil.ExitFailure,
			dir + "/truncated.key: expected an SM2 private key in PEM, found a truncated or damaged PEM block (its END line or base64 body is broken)"},
		{"empty file", file("empty.key", nil), nil, cmdutil.ExitFailure,
			dir + "/empty.key: expected an SM2 private key in PEM, found an empty input"},
		{"a certificate", file("cert.pem", pemBlock("CERTIFICATE", []byte{1, 2, 3})), nil, cmdutil.ExitFailure,
			dir + `/cert.pem: expected an SM2 private key, found a PEM block of type "CERTIFICATE"`},
	}
}

type badKey struct {
	name   string
	path   string
	args   []string
	code   int
	stderr string // without the "imictl: " prefix
}

func TestBadKeys(t *testing.T) {
	dir := t.TempDir()
	for _, verb := range []string{"pub", "inspect"} {
		for _, bk := range badKeys(t, dir) {
			t.Run(verb+"/"+bk.name, func(t *testing.T) {
				res := cmdtest.Run(t, cmdtest.Options{}, append([]string{"key", verb, bk.path}, bk.args...)...)
				res.Expect(t, bk.code)
				if res.Stderr != "imictl: "+bk.stderr+"\n" {
					t.Errorf("stderr = %q\nwant     %q", res.Stderr, "imictl: "+bk.stderr+"\n")
				}
				if res.Stdout != "" {
					t.Errorf("stdout = %q", res.Stdout)
				}
			})
		}
	}
}

func TestKeyArgs(t *testing.T) {
	for _, args := range [][]string{{"key", "pub"}, {"key", "inspect"}, {"key", "pub", "a", "b"}} {
		res := cmdtest.Run(t, cmdtest.Options{}, args...)
		res.Expect(t, cmdutil.ExitUsage)
		if !strings.HasPrefix(res.Stderr, "imictl: accepts 1 arg(s), received ") {
			t.Errorf("%v: stderr = %q", args, res.Stderr)
		}
	}
}

func TestBadKeyOnStdin(t *testing.T) {
	res := cmdtest.Run(t, cmdtest.Options{Stdin: "hello"}, "key", "pub", "-")
	res.Expect(t, cmdutil.ExitFailure)
	want := "imictl: standard input: expected an SM2 private key in PEM, found no PEM block (is it DER? convert it with `openssl pkey -inform DER`)\n"
	if res.Stderr != want {
		t.Errorf("stderr = %q\nwant     %q", res.Stderr, want)
	}
}

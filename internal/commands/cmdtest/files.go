package cmdtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"

	"github.com/imictl/imictl/internal/pki"
)

// WriteFile writes data to dir/name (0600) and returns the path.
func WriteFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// ReadFile returns the contents of the file at path.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// KeyFile writes a new SM2 key to dir/name, encrypted when pw is not empty.
func KeyFile(t testing.TB, dir, name, pw string) (string, *sm2.PrivateKey) {
	t.Helper()
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	data, err := pki.EncodePrivateKeyPEM(k, []byte(pw))
	if err != nil {
		t.Fatal(err)
	}
	return WriteFile(t, dir, name, data), k
}

// OpenSSL runs openssl in dir and returns its combined output, failing the
// test if it fails. OpenSSL 3 is the independent oracle of the PKI tests;
// CI installs it, a machine without it skips them.
func OpenSSL(t testing.TB, dir string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

package key_test

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/emmansun/gmsm/sm2"

	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/pki"
)

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000 // keep encrypted-key tests fast; OpenSSL reads any count
	os.Exit(m.Run())
}

const password = "correct horse"

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyFile writes a new SM2 key to dir/name, encrypted when pw is not empty.
func keyFile(t *testing.T, dir, name, pw string) (string, *sm2.PrivateKey) {
	t.Helper()
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	data, err := pki.EncodePrivateKeyPEM(k, []byte(pw))
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, data), k
}

// passwordFile writes the test password to dir/pw.
func passwordFile(t *testing.T, dir string) string {
	t.Helper()
	return writeFile(t, dir, "pw", []byte(password+"\n"))
}

func fingerprints(t *testing.T, k *sm2.PrivateKey) key.Fingerprints {
	t.Helper()
	spki, err := pki.PublicKeyDER(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return key.FingerprintsOf(spki)
}

func pubPEM(t *testing.T, k *sm2.PrivateKey) string {
	t.Helper()
	p, err := pki.EncodePublicKeyPEM(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(p)
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

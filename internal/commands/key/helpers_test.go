package key_test

import (
	"encoding/pem"
	"os"
	"testing"

	"github.com/emmansun/gmsm/sm2"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/pki"
)

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000 // keep encrypted-key tests fast; OpenSSL reads any count
	os.Exit(m.Run())
}

const password = "correct horse"

// passwordFile writes the test password to dir/pw.
func passwordFile(t *testing.T, dir string) string {
	t.Helper()
	return cmdtest.WriteFile(t, dir, "pw", []byte(password+"\n"))
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

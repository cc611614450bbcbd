package csr_test

import (
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

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

// parseCSR reads the request at path and checks it as the management
// server will.
func parseCSR(t *testing.T, data []byte) (*smx509.CertificateRequest, string) {
	t.Helper()
	if block, _ := pem.Decode(data); block == nil || block.Type != "CERTIFICATE REQUEST" {
		t.Fatalf("not a CERTIFICATE REQUEST PEM block:\n%s", data)
	}
	csr, err := pki.ParseCSR(data)
	if err != nil {
		t.Fatal(err)
	}
	id, err := pki.CheckCSR(csr)
	if err != nil {
		t.Fatalf("CheckCSR: %v", err)
	}
	return csr, id
}

// csrTable is the table `csr create` and `csr inspect` print.
func csrTable(file, serverID, subject, dns, uris, signature string, fp key.Fingerprints) string {
	return "" +
		"File:                 " + file + "\n" +
		"Server id:            " + serverID + "\n" +
		"Subject:              " + subject + "\n" +
		"DNS names:            " + dns + "\n" +
		"URIs:                 " + uris + "\n" +
		"Signature:            " + signature + "\n" +
		"Public key SHA-256:   " + fp.SHA256 + "\n" +
		"Public key SM3:       " + fp.SM3 + "\n"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// OpenSSL 3 is the independent oracle of the openssl tests. CI installs it;
// a machine without it skips them.
func openssl(t *testing.T, dir string, args ...string) string {
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

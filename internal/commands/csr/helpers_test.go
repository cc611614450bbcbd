package csr_test

import (
	"encoding/pem"
	"os"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/pki"
)

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000 // keep encrypted-key tests fast; OpenSSL reads any count
	os.Exit(m.Run())
}

const password = "correct horse"

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

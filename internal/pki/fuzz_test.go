package pki

import (
	"bytes"
	"math/big"
	"testing"
	"time"
)

// The PKI files imictl reads from users and peers (CSRs submitted for
// registration, certificates and CRLs from the management server or from
// disk, key files) are parsed without panicking whatever their bytes, and
// what parses is checked without panicking.

func FuzzParseCSR(f *testing.F) {
	key := mustKey(f)
	der, err := CreateCSR(key, CSRTemplate{ServerID: "fuzz-im", ServerName: "Fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{der, EncodeCSRPEM(der), der[:len(der)/2], []byte("-----BEGIN CERTIFICATE REQUEST-----\n\n-----END CERTIFICATE REQUEST-----\n"), nil} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		csr, err := ParseCSR(data)
		if err != nil {
			return
		}
		if id, err := CheckCSR(csr); err == nil {
			if ValidateServerID(id) != nil {
				t.Fatalf("CheckCSR accepted the serverId %q", id)
			}
		}
	})
}

func FuzzParseCertificates(f *testing.F) {
	ca := testCA(f, "fuzz root")
	now := time.Now()
	leaf, _ := issueFor(f, ca, "fuzz-im", now.Add(-time.Hour), now.Add(time.Hour))
	bundle := append(EncodeCertificatePEM(leaf.Raw), EncodeCertificatePEM(ca.Cert.Raw)...)
	for _, seed := range [][]byte{leaf.Raw, bundle, EncodeCertificatePEM(leaf.Raw)[:200], []byte("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n")} {
		f.Add(seed)
	}
	roots := ca.pool()
	crl := crlFor(f, ca, big.NewInt(7))
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseCertificatesPEM(data)
		if err == nil && len(certs) == 0 {
			t.Fatal("ParseCertificatesPEM: no certificate and no error")
		}
		cert, err := ParseCertificatePEM(data)
		if err != nil {
			return
		}
		_, _ = ServerIDFromCertificate(cert)
		if err := VerifyCertificate(cert, VerifyOptions{Roots: roots, CRL: crl, Now: now}); err == nil && !bytes.Equal(cert.RawIssuer, ca.Cert.RawSubject) {
			t.Fatal("a certificate not issued by the root verified")
		}
	})
}

func FuzzParseCRL(f *testing.F) {
	ca := testCA(f, "fuzz root")
	crl := crlFor(f, ca, big.NewInt(7), big.NewInt(8))
	f.Add(crl.Raw)
	f.Add([]byte("-----BEGIN X509 CRL-----\nAA==\n-----END X509 CRL-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseCRL(data)
	})
}

// FuzzDecodePrivateKey reads key files without a password (an encrypted
// one then asks for it: no key derivation with a count taken from the file).
func FuzzDecodePrivateKey(f *testing.F) {
	key := mustKey(f)
	plain, err := EncodePrivateKeyPEM(key, nil)
	if err != nil {
		f.Fatal(err)
	}
	encrypted, err := EncodePrivateKeyPEM(key, []byte("pw"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(plain)
	f.Add(encrypted)
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = PeekKeyFormat(data)
		k, err := DecodePrivateKeyPEM(data, nil)
		if err == nil && k == nil {
			t.Fatal("no key and no error")
		}
	})
}

// FuzzParseText: the short values users type (fingerprints, serials,
// revocation reasons, serverIds).
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"ab:cd", "0x8F3A", "keyCompromise", "local-im", "SHA256:" + string(bytes.Repeat([]byte("ab"), 32)), " 1 ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if fp, err := ParseFingerprint(s); err == nil && len(fp) != 32 {
			t.Fatalf("ParseFingerprint(%q): %d bytes", s, len(fp))
		}
		if n, err := ParseSerial(s); err == nil {
			back, err := ParseSerial(SerialHex(n))
			if err != nil || back.Cmp(n) != 0 {
				t.Fatalf("serial %q: %s does not read back (%v)", s, SerialHex(n), err)
			}
		}
		if code, err := ParseRevocationReason(s); err == nil && RevocationReasonName(code) == "" {
			t.Fatalf("reason %q: code %d has no name", s, code)
		}
		if ValidateServerID(s) == nil && (len(s) > 64 || bytes.ContainsAny([]byte(s), ".:@/ ")) {
			t.Fatalf("serverId %q accepted", s)
		}
	})
}

package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/smx509"
)

func TestPrivateKeyRoundTrip(t *testing.T) {
	key := mustKey(t)
	for _, tc := range []struct {
		name      string
		password  []byte
		wantBlock string
	}{
		{"plain", nil, "PRIVATE KEY"},
		{"encrypted", []byte("correct horse"), "ENCRYPTED PRIVATE KEY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := EncodePrivateKeyPEM(key, tc.password)
			if err != nil {
				t.Fatal(err)
			}
			if block, _ := pem.Decode(data); block == nil || block.Type != tc.wantBlock {
				t.Fatalf("block type: got %v, want %s", block, tc.wantBlock)
			}
			if got := IsEncryptedKeyPEM(data); got != (tc.password != nil) {
				t.Errorf("IsEncryptedKeyPEM = %v", got)
			}
			if peek, ok := PeekKeyFormat(data); !ok || peek != (KeyFormat{Encoding: "PKCS#8", Encrypted: tc.password != nil}) {
				t.Errorf("PeekKeyFormat = %+v %v", peek, ok)
			}
			back, format, err := DecodePrivateKeyPEMFormat(data, tc.password)
			if err != nil {
				t.Fatal(err)
			}
			if !back.Equal(key) || format.Encrypted != (tc.password != nil) || format.Encoding != "PKCS#8" {
				t.Fatalf("round trip changed the key or format: %+v", format)
			}
		})
	}
}

func TestDecodePrivateKeyErrors(t *testing.T) {
	key := mustKey(t)
	encrypted, _ := EncodePrivateKeyPEM(key, []byte("right"))
	plain, _ := EncodePrivateKeyPEM(key, nil)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	rsaPKCS8, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p256PKCS8, _ := x509.MarshalPKCS8PrivateKey(p256)
	p256SEC1, _ := x509.MarshalECPrivateKey(p256)
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }

	for _, tc := range []struct {
		name     string
		data     []byte
		password []byte
		wantErr  error
		wantText string
	}{
		{"wrong password", encrypted, []byte("wrong"), ErrBadPassword, "wrong password"},
		{"no password", encrypted, nil, ErrPasswordRequired, "give its password"},
		{"RSA PKCS#8", pemOf("PRIVATE KEY", rsaPKCS8), nil, nil, "found an RSA private key"},
		{"RSA PKCS#1", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), nil, nil, "found an RSA private key"},
		{"P-256 PKCS#8", pemOf("PRIVATE KEY", p256PKCS8), nil, nil, "found an ECDSA key on curve P-256"},
		{"P-256 SEC1", pemOf("EC PRIVATE KEY", p256SEC1), nil, nil, "found an ECDSA key on curve P-256"},
		{"truncated", plain[:len(plain)/2], nil, nil, "truncated or damaged PEM"},
		{"empty", nil, nil, nil, "empty input"},
		{"not PEM", []byte("hello"), nil, nil, "no PEM block"},
		{"a certificate", pemOf("CERTIFICATE", []byte{1}), nil, nil, `PEM block of type "CERTIFICATE"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodePrivateKeyPEM(tc.data, tc.password)
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v is not %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not say %q", err, tc.wantText)
			}
		})
	}
}

func TestDecodeSEC1SM2Key(t *testing.T) {
	key := mustKey(t)
	der, err := smx509.MarshalSM2PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// OpenSSL 3 names the block "SM2 PRIVATE KEY"; `ecparam -genkey` puts
	// a parameters block first.
	params := pem.EncodeToMemory(&pem.Block{Type: "SM2 PARAMETERS", Bytes: []byte{6, 8, 42, 129, 28, 207, 85, 1, 130, 45}})
	for _, data := range [][]byte{
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "SM2 PRIVATE KEY", Bytes: der}),
		append(params, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})...),
	} {
		back, format, err := DecodePrivateKeyPEMFormat(data, nil)
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if peek, ok := PeekKeyFormat(data); !ok || peek != format {
			t.Errorf("PeekKeyFormat = %+v %v, want %+v", peek, ok, format)
		}
		if !back.Equal(key) || format.Encoding != "SEC1" {
			t.Fatalf("SEC1 key not read back: %+v", format)
		}
	}
}

func TestSignVerify(t *testing.T) {
	key := mustKey(t)
	msg := []byte("signature base")
	sig, err := Sign(key, msg)
	if err != nil {
		t.Fatal(err)
	}
	if !VerifySignature(&key.PublicKey, msg, sig) {
		t.Fatal("own signature does not verify")
	}
	if VerifySignature(&key.PublicKey, []byte("other"), sig) {
		t.Fatal("signature verifies for another message")
	}
	if VerifySignature(&mustKey(t).PublicKey, msg, sig) {
		t.Fatal("signature verifies under another key")
	}
}

func TestPeekKeyFormatWithoutKey(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("hello"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}})} {
		if f, ok := PeekKeyFormat(data); ok {
			t.Errorf("PeekKeyFormat(%q) = %+v, want no key", data, f)
		}
	}
}

package pki

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/emmansun/gmsm/pkcs"
	"github.com/emmansun/gmsm/pkcs8"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// Errors a caller can act on when reading a private key.
var (
	ErrPasswordRequired = errors.New("the private key is encrypted: give its password (--password-file or the prompt)")
	ErrBadPassword      = errors.New("wrong password for the private key (or the key file is damaged)")
)

// FormatError says what was found where an SM2 key, certificate, CSR or CRL
// was expected.
type FormatError struct {
	Want  string // what the caller needed, e.g. "an SM2 private key"
	Found string // what the input holds, e.g. "an RSA private key"
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("expected %s, found %s", e.Want, e.Found)
}

// KDFIterations is the PBKDF2 iteration count for new encrypted keys. Tests
// lower it; OpenSSL 3 reads any count.
var KDFIterations = 100_000

// GenerateKey makes a new SM2 key pair.
func GenerateKey() (*sm2.PrivateKey, error) {
	return sm2.GenerateKey(rand.Reader)
}

// EncodePrivateKeyPEM encodes key as PKCS#8 PEM. With a password it is an
// "ENCRYPTED PRIVATE KEY" under PBES2 (PBKDF2-HMAC-SHA256, SM4-CBC), a scheme
// OpenSSL 3 reads; with none it is a plain "PRIVATE KEY".
func EncodePrivateKeyPEM(key *sm2.PrivateKey, password []byte) ([]byte, error) {
	if len(password) == 0 {
		der, err := smx509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	}
	enc := pkcs.NewPBESEncrypter(pkcs.SM4CBC, pkcs.NewPBKDF2Opts(pkcs.SHA256, 16, KDFIterations))
	der, err := pkcs8.MarshalPrivateKey(key, password, enc)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}), nil
}

// KeyFormat describes how a private key was stored.
type KeyFormat struct {
	Encoding  string // "PKCS#8" or "SEC1"
	Encrypted bool
}

// IsEncryptedKeyPEM reports whether data holds a password-protected key, so
// that callers ask for a password only when one is needed.
func IsEncryptedKeyPEM(data []byte) bool {
	block := keyBlock(data)
	return block != nil && (block.Type == "ENCRYPTED PRIVATE KEY" || smx509.IsEncryptedPEMBlock(block))
}

// PeekKeyFormat tells how a private key is stored from its PEM block alone,
// without decrypting it, so that an encrypted key can be described without
// its password. ok is false when data holds no private key block.
func PeekKeyFormat(data []byte) (f KeyFormat, ok bool) {
	block := keyBlock(data)
	if block == nil {
		return KeyFormat{}, false
	}
	switch block.Type {
	case "PRIVATE KEY":
		return KeyFormat{Encoding: "PKCS#8"}, true
	case "ENCRYPTED PRIVATE KEY":
		return KeyFormat{Encoding: "PKCS#8", Encrypted: true}, true
	case "EC PRIVATE KEY", "SM2 PRIVATE KEY":
		return KeyFormat{Encoding: "SEC1", Encrypted: smx509.IsEncryptedPEMBlock(block)}, true
	}
	return KeyFormat{}, false
}

// keyBlock decodes the first PEM block of data that is not a curve
// parameters block: `openssl ecparam -genkey -name SM2` writes "SM2
// PARAMETERS" before the key.
func keyBlock(data []byte) *pem.Block {
	block, rest := pem.Decode(data)
	for block != nil && (block.Type == "EC PARAMETERS" || block.Type == "SM2 PARAMETERS") {
		block, rest = pem.Decode(rest)
	}
	return block
}

// DecodePrivateKeyPEM reads an SM2 private key: PKCS#8 (plain or encrypted,
// ours or OpenSSL's `genpkey -algorithm SM2`) or SEC1 "EC PRIVATE KEY" on the
// SM2 curve (OpenSSL 3's `openssl ec` calls it "SM2 PRIVATE KEY"). Anything
// else is a *FormatError naming what was found.
func DecodePrivateKeyPEM(data, password []byte) (*sm2.PrivateKey, error) {
	key, _, err := DecodePrivateKeyPEMFormat(data, password)
	return key, err
}

// DecodePrivateKeyPEMFormat is DecodePrivateKeyPEM that also tells how the key
// was stored.
func DecodePrivateKeyPEMFormat(data, password []byte) (*sm2.PrivateKey, KeyFormat, error) {
	block := keyBlock(data)
	if block == nil {
		return nil, KeyFormat{}, &FormatError{Want: "an SM2 private key in PEM", Found: describeNonPEM(data)}
	}
	switch block.Type {
	case "PRIVATE KEY":
		key, err := smx509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, KeyFormat{}, fmt.Errorf("cannot parse the PKCS#8 private key: %w", err)
		}
		k, err := asSM2(key)
		return k, KeyFormat{Encoding: "PKCS#8"}, err
	case "ENCRYPTED PRIVATE KEY":
		if len(password) == 0 {
			return nil, KeyFormat{}, ErrPasswordRequired
		}
		key, err := pkcs8.ParsePKCS8PrivateKey(block.Bytes, password)
		if err != nil {
			if errors.Is(err, pkcs8.ErrUnsupportedPBES) {
				return nil, KeyFormat{}, fmt.Errorf("the key is encrypted with a scheme imictl cannot read (%v): re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`", err)
			}
			return nil, KeyFormat{}, ErrBadPassword
		}
		k, err := asSM2(key)
		return k, KeyFormat{Encoding: "PKCS#8", Encrypted: true}, err
	case "EC PRIVATE KEY", "SM2 PRIVATE KEY": // OpenSSL 3 `openssl ec` names SEC1 SM2 keys the latter
		der := block.Bytes
		encrypted := smx509.IsEncryptedPEMBlock(block)
		if encrypted {
			if len(password) == 0 {
				return nil, KeyFormat{}, ErrPasswordRequired
			}
			var err error
			if der, err = smx509.DecryptPEMBlock(block, password); err != nil {
				return nil, KeyFormat{}, ErrBadPassword
			}
		}
		key, err := smx509.ParseTypedECPrivateKey(der)
		if err != nil {
			return nil, KeyFormat{}, fmt.Errorf("cannot parse the EC private key: %w", err)
		}
		k, err := asSM2(key)
		return k, KeyFormat{Encoding: "SEC1", Encrypted: encrypted}, err
	case "RSA PRIVATE KEY":
		return nil, KeyFormat{}, &FormatError{Want: "an SM2 private key", Found: "an RSA private key"}
	default:
		return nil, KeyFormat{}, &FormatError{Want: "an SM2 private key", Found: fmt.Sprintf("a PEM block of type %q", block.Type)}
	}
}

func asSM2(key any) (*sm2.PrivateKey, error) {
	switch k := key.(type) {
	case *sm2.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return nil, &FormatError{Want: "an SM2 private key", Found: fmt.Sprintf("an ECDSA key on curve %s", k.Curve.Params().Name)}
	case *rsa.PrivateKey:
		return nil, &FormatError{Want: "an SM2 private key", Found: "an RSA private key"}
	case ed25519.PrivateKey:
		return nil, &FormatError{Want: "an SM2 private key", Found: "an Ed25519 private key"}
	default:
		return nil, &FormatError{Want: "an SM2 private key", Found: fmt.Sprintf("a %T key", key)}
	}
}

// describeNonPEM explains input without a complete PEM block.
func describeNonPEM(data []byte) string {
	switch {
	case len(data) == 0:
		return "an empty input"
	case containsPEMHeader(data):
		return "a truncated or damaged PEM block (its END line or base64 body is broken)"
	default:
		return "no PEM block (is it DER? convert it with `openssl pkey -inform DER`)"
	}
}

// EncodePublicKeyPEM encodes pub as a "PUBLIC KEY" (SubjectPublicKeyInfo).
func EncodePublicKeyPEM(pub *ecdsa.PublicKey) ([]byte, error) {
	der, err := smx509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// PublicKeyDER is the SubjectPublicKeyInfo DER of pub, the input of public
// key fingerprints.
func PublicKeyDER(pub *ecdsa.PublicKey) ([]byte, error) {
	return smx509.MarshalPKIXPublicKey(pub)
}

package key

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/emmansun/gmsm/sm2"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/pki"
)

// PasswordFileFlag is the flag every command reading or writing a key uses
// for its password file.
const PasswordFileFlag = "password-file"

// ReadPrivateKey reads the SM2 private key at path ("-" for standard input).
// The password comes from passwordFile, $IMICTL_PASSWORD_FILE or a prompt,
// and is asked for only when the key is encrypted. A wrong password is an
// authentication failure (exit 4, reason "bad_password").
func ReadPrivateKey(f *cmdutil.Factory, path, passwordFile string) (*sm2.PrivateKey, pki.KeyFormat, error) {
	data, err := cmdutil.ReadInput(f.IOStreams, path, cmdutil.MaxInputSize)
	if err != nil {
		return nil, pki.KeyFormat{}, err
	}
	return decodeKey(f, path, data, passwordFile)
}

func decodeKey(f *cmdutil.Factory, path string, data []byte, passwordFile string) (*sm2.PrivateKey, pki.KeyFormat, error) {
	var password []byte
	if pki.IsEncryptedKeyPEM(data) {
		var err error
		if password, err = cmdutil.Password(f, cmdutil.PasswordOptions{
			File:     passwordFile,
			FileFlag: PasswordFileFlag,
			Title:    "Password for " + DisplayName(path),
		}); err != nil {
			return nil, pki.KeyFormat{}, err
		}
	}
	key, format, err := pki.DecodePrivateKeyPEMFormat(data, password)
	if err != nil {
		return nil, format, keyError(path, err)
	}
	return key, format, nil
}

func keyError(path string, err error) error {
	err = fmt.Errorf("%s: %w", DisplayName(path), err)
	if errors.Is(err, pki.ErrBadPassword) {
		return cmdutil.AuthError("bad_password", err)
	}
	return err
}

// DisplayName names an input in messages: its path, or "standard input".
func DisplayName(path string) string {
	if path == cmdutil.Stdio {
		return "standard input"
	}
	return path
}

// RefuseExisting fails early, before any password is asked for, when an
// output file exists and --force was not given. cmdutil.WriteFileAtomic
// checks again when writing.
func RefuseExisting(path string, force bool) error {
	if force || path == cmdutil.Stdio {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s already exists: pass --force to overwrite it", path)
	}
	return nil
}

// Fingerprints are the SHA-256 and SM3 digests of DER bytes (a public
// key's SubjectPublicKeyInfo, or a whole certificate), in lower-case hex.
// A public key's are what `openssl pkey -pubout -outform DER | openssl dgst
// -sha256` prints.
type Fingerprints struct {
	SHA256 string `json:"sha256"`
	SM3    string `json:"sm3"`
}

// FingerprintsOf returns the fingerprints of DER bytes.
func FingerprintsOf(der []byte) Fingerprints {
	return Fingerprints{
		SHA256: hex.EncodeToString(pki.FingerprintSHA256(der)),
		SM3:    hex.EncodeToString(pki.FingerprintSM3(der)),
	}
}

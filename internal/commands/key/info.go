package key

import (
	"github.com/emmansun/gmsm/sm2"

	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// Info describes a private key file. Its JSON form is the scripting contract
// of `key gen -o json` and `key inspect -o json`.
type Info struct {
	File      string `json:"file"`
	Type      string `json:"type,omitempty"`  // "SM2"; absent while an encrypted key is not decrypted
	Curve     string `json:"curve,omitempty"` // "sm2p256v1"; absent likewise
	Encoding  string `json:"encoding"`        // "PKCS#8" or "SEC1"
	Encrypted bool   `json:"encrypted"`
	// Fingerprints of the public key, known only once the key is read.
	Fingerprints *Fingerprints `json:"fingerprints,omitempty"`
}

// newInfo describes a key that was read (or generated).
func newInfo(file string, key *sm2.PrivateKey, format pki.KeyFormat) (Info, error) {
	spki, err := pki.PublicKeyDER(&key.PublicKey)
	if err != nil {
		return Info{}, err
	}
	fp := FingerprintsOf(spki)
	return Info{
		File:         file,
		Type:         "SM2",
		Curve:        key.Curve.Params().Name,
		Encoding:     format.Encoding,
		Encrypted:    format.Encrypted,
		Fingerprints: &fp,
	}, nil
}

func (i Info) view() output.View {
	details := []output.Field{{Key: "File", Value: i.File}}
	if i.Type != "" {
		details = append(details, output.Field{Key: "Type", Value: i.Type}, output.Field{Key: "Curve", Value: i.Curve})
	}
	details = append(details,
		output.Field{Key: "Encoding", Value: i.Encoding},
		output.Field{Key: "Encrypted", Value: yesNo(i.Encrypted)},
	)
	if i.Fingerprints != nil {
		details = append(details,
			output.Field{Key: "Public key SHA-256", Value: i.Fingerprints.SHA256},
			output.Field{Key: "Public key SM3", Value: i.Fingerprints.SM3},
		)
	}
	return output.View{Data: i, Details: details}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

package httpsig

import (
	"crypto/ecdsa"
	"crypto/rand"

	"github.com/emmansun/gmsm/sm2"
)

// sign and verify are the only places that touch the signature algorithm.
// TODO(pki): replace with pki.Sign / pki.VerifySignature once internal/pki lands.
func sign(key *sm2.PrivateKey, msg []byte) ([]byte, error) {
	return sm2.SignASN1(rand.Reader, key, msg, sm2.DefaultSM2SignerOpts)
}

func verify(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	return sm2.VerifyASN1WithSM2(pub, nil, msg, sig)
}

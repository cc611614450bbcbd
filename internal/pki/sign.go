package pki

import (
	"crypto/ecdsa"
	"crypto/rand"

	"github.com/emmansun/gmsm/sm2"
)

// Sign signs msg with SM2 over SM3 and the default user id, returning the
// ASN.1 DER (r, s) signature that `openssl dgst -sm3 -sign` produces.
func Sign(key *sm2.PrivateKey, msg []byte) ([]byte, error) {
	// DefaultSM2SignerOpts makes gmsm hash msg with Z(A); nil opts would
	// treat msg as a ready digest and silently sign something else.
	return sm2.SignASN1(rand.Reader, key, msg, sm2.DefaultSM2SignerOpts)
}

// VerifySignature checks an ASN.1 DER SM2-with-SM3 signature of msg made with
// the default user id.
func VerifySignature(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	return sm2.VerifyASN1WithSM2(pub, nil, msg, sig)
}

package httpsig

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/emmansun/gmsm/sm2"

	"github.com/imictl/imictl/internal/pki"
)

// A server that has applied for registration has a key (the one of its CSR)
// but no certificate yet, and nobody can find it in the directory. The
// management server still lets it follow its own application, with a call
// signed exactly like any other but verified against the CSR's key
// (docs/PROTOCOL.md, section 5). These two primitives serve that case.

// NewKeySigner returns a Signer that signs as serverID with key, without a
// certificate. Peers verifying through the directory refuse its requests;
// only a verifier that knows the key (VerifyRequestWithKey) accepts them.
func NewKeySigner(key *sm2.PrivateKey, serverID string) (*Signer, error) {
	if key == nil {
		return nil, errors.New("httpsig: a signer needs the SM2 private key")
	}
	if err := pki.ValidateServerID(serverID); err != nil {
		return nil, fmt.Errorf("httpsig: %w", err)
	}
	return &Signer{serverID: serverID, key: key, now: time.Now, nonce: randomNonce}, nil
}

// VerifyRequestWithKey authenticates a request signed with the private key
// of one of pubs, without any certificate: syntax, destination, time,
// replay, the signature, the body's digest, then the nonce is recorded
// (steps 1–4 and 7–9 of docs/PROTOCOL.md section 3.5). It does not consult
// the local policy, the directory, certificates or the CRL: the caller
// chose pubs, and checks that the returned origin (the keyid) is the
// server it expects. body is the request's body, which the caller has read
// (bounded); r.Body is not touched. A refusal is an *AuthError.
func (v *Verifier) VerifyRequestWithKey(r *http.Request, body []byte, pubs ...*ecdsa.PublicKey) (origin string, err error) {
	m := requestMessage(r.Method, r.URL, r.Header)
	c, e := v.checkFrame(m, requestRole, "")
	if e != nil {
		return "", e
	}
	if len(pubs) == 0 {
		return "", refuse(ReasonSignatureInvalid, "no key is known for %q", c.origin)
	}
	for _, pub := range pubs {
		if e = checkSignature(m, c, pub, SideRequest, "the key of the application of %q", c.origin); e == nil {
			break
		}
	}
	if e != nil {
		return "", e
	}
	if int64(len(body)) > v.opts.MaxBody {
		return "", refuse(ReasonBodyTooLarge, "the body exceeds the %d bytes this server accepts", v.opts.MaxBody)
	}
	if e := checkBody(c, body, SideRequest); e != nil {
		return "", e
	}
	if e := v.recordNonce(c); e != nil {
		return "", e
	}
	return c.origin, nil
}

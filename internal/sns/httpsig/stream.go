package httpsig

import (
	"crypto/subtle"
	"hash"
	"net/http"

	"github.com/emmansun/gmsm/sm3"
)

// VerifyResponseHeaders runs every check of VerifyResponse that needs no
// body, for a caller that streams a body too large to hold in memory (a
// downloaded file, S2). The signature covers the Content-Digest, so the
// headers can be authenticated first; the caller then writes the body
// through the returned BodyCheck as it reads it, and calls Verify at the
// end. Until Verify returns nil, what was read is unauthenticated: write it
// somewhere temporary and discard it on error.
func (v *Verifier) VerifyResponseHeaders(req *http.Request, resp *http.Response, peer string) (*BodyCheck, error) {
	m := &message{status: resp.StatusCode, header: resp.Header, request: requestMessage(req.Method, req.URL, req.Header)}
	c, e := v.checkHeaders(req.Context(), m, responseRole, peer)
	if e != nil {
		e.Peer = peer
		return nil, e
	}
	return &BodyCheck{want: c.digest, h: sm3.New(), peer: peer}, nil
}

// BodyCheck digests a streamed response body and compares it with the
// signed Content-Digest.
type BodyCheck struct {
	want []byte
	h    hash.Hash
	n    int64
	peer string
}

// Write adds p to the digest; it never fails.
func (b *BodyCheck) Write(p []byte) (int, error) {
	b.n += int64(len(p))
	return b.h.Write(p)
}

// Verify reports whether the bytes written match the signed digest: nil,
// or an *AuthError with reason digest_mismatch.
func (b *BodyCheck) Verify() error {
	if subtle.ConstantTimeCompare(b.want, b.h.Sum(nil)) == 1 {
		return nil
	}
	e := refuse(ReasonDigestMismatch, "the body (%d bytes) does not match its signed Content-Digest: it was altered or cut short in transit", b.n)
	e.Side, e.Peer = SideResponse, b.peer
	return e
}

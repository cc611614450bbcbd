package httpsig

import (
	"fmt"
	"net/http"
	"time"
)

// SignedAt returns the created parameter of the "imi" signature of a
// message with headers h, unverified: what the signer's clock said when it
// signed. imictl probe measures a peer's clock skew with it (the verifier
// itself only compares it with the window).
func SignedAt(h http.Header) (time.Time, error) {
	sig, err := parseSignature(h)
	if err != nil {
		return time.Time{}, fmt.Errorf("httpsig: %w", err)
	}
	return time.Unix(sig.params.created, 0), nil
}

package httpsig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Transport is the client side: an http.RoundTripper that signs every
// request as Signer and authenticates every response with Verifier (whose
// Self is the Signer's serverId). Use it as the Transport of an http.Client.
//
// A response that fails authentication becomes an *AuthError with Side
// SideResponse. A refusal by the peer's signed-calls layer (an error
// envelope with one of this package's reasons) becomes an *AuthError with
// Reported set, also when the refusal itself could not be authenticated
// (see AuthError.Unverified). Any other answer, an application's failure
// included, is returned as the response once it is authenticated.
type Transport struct {
	Base     http.RoundTripper // default http.DefaultTransport
	Signer   *Signer
	Verifier *Verifier
	// Destination is the serverId requests go to, unless their context
	// names one (WithDestination).
	Destination string
	// MaxResponseBody bounds the response body read into memory to check
	// its digest; default 64 MiB.
	MaxResponseBody int64
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	dest := destinationFrom(req.Context())
	if dest == "" {
		dest = t.Destination
	}
	if t.Signer == nil || t.Verifier == nil {
		closeBody(req)
		return nil, errors.New("httpsig: Transport needs a Signer and a Verifier")
	}
	if dest == "" {
		closeBody(req)
		return nil, errors.New("httpsig: no destination serverId: set Transport.Destination or use WithDestination")
	}
	out := req.Clone(req.Context()) // a RoundTripper must not modify req
	if err := t.Signer.SignRequest(out, dest); err != nil {
		return nil, err
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	body, err := t.readBody(resp, dest)
	if err != nil {
		return nil, err
	}
	verr := t.Verifier.VerifyResponse(out, resp, body, dest)
	if resp.StatusCode >= 400 {
		if reason, msg, ok := parseRefusal(body); ok && reason.Known() {
			e := &AuthError{Side: SideRequest, Reason: reason, Status: resp.StatusCode, Message: msg, Peer: dest, Reported: true}
			if verr != nil {
				e.Unverified = verr.Error()
			}
			return nil, e
		}
	}
	if verr != nil {
		return nil, verr
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// CloseIdleConnections closes the idle connections of Base, so that
// http.Client.CloseIdleConnections reaches through the signing layer.
func (t *Transport) CloseIdleConnections() {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if c, ok := base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (t *Transport) readBody(resp *http.Response, peer string) ([]byte, error) {
	defer resp.Body.Close()
	max := t.MaxResponseBody
	if max <= 0 {
		max = 64 << 20
	}
	tooLarge := &AuthError{Side: SideResponse, Reason: ReasonBodyTooLarge, Status: ReasonBodyTooLarge.Status(), Peer: peer,
		Message: fmt.Sprintf("the response body exceeds %d bytes (Transport.MaxResponseBody)", max)}
	if resp.ContentLength > max {
		return nil, tooLarge
	}
	body, err := readBody(io.LimitReader(resp.Body, max+1), resp.ContentLength)
	if err != nil {
		return nil, fmt.Errorf("httpsig: reading the response of %q: %w", peer, err)
	}
	if int64(len(body)) > max {
		return nil, tooLarge
	}
	return body, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

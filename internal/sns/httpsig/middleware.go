package httpsig

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/imictl/imictl/internal/callinfo"
)

// Middleware authenticates every request before next sees it, and signs
// every response, refusals included. next reads the body from memory and
// finds the authenticated caller with OriginFrom. Refusals use the
// standard's error envelope with a "reason" field (docs/PROTOCOL.md,
// section 3); next never runs for them.
//
// Responses are buffered to be digested and signed, except a body whose
// digest is known beforehand, which next may stream with StreamResponse.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	if v.opts.Signer == nil {
		panic("httpsig: Middleware needs Options.Signer to sign responses")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin, body, e := v.verifyRequest(r)
		if e != nil {
			if callinfo.Observed(r.Context()) {
				callinfo.SignatureRefused(r.Context(), string(e.Reason), e.Message)
			} else {
				v.logRefusal(r, e)
			}
			v.writeRefusal(w, r, e)
			return
		}
		callinfo.Verified(r.Context(), origin)
		r2 := r.WithContext(withOrigin(r.Context(), origin))
		r2.Body = io.NopCloser(bytes.NewReader(body))
		r2.ContentLength = int64(len(body))
		sw := &signingWriter{header: w.Header(), v: v, out: w, req: r}
		next.ServeHTTP(sw, r2)
		if sw.streamed {
			return
		}
		v.writeSigned(w, r, sw.statusOr200(), sw.buf.Bytes())
	})
}

// verifyRequest runs every check; the body is read only once the signature
// over the headers has verified, and never beyond MaxBody.
func (v *Verifier) verifyRequest(r *http.Request) (string, []byte, *AuthError) {
	m := requestMessage(r.Method, r.URL, r.Header)
	c, e := v.checkHeaders(r.Context(), m, requestRole, "")
	if e != nil {
		return "", nil, e
	}
	max := v.opts.MaxBody
	if r.ContentLength > max {
		return "", nil, refuse(ReasonBodyTooLarge, "the body is %d bytes; this server accepts at most %d", r.ContentLength, max)
	}
	body, err := readBody(io.LimitReader(r.Body, max+1), r.ContentLength)
	switch {
	case err != nil:
		return "", nil, refuse(ReasonBodyUnreadable, "reading the body failed: %v", err)
	case int64(len(body)) > max:
		return "", nil, refuse(ReasonBodyTooLarge, "the body exceeds the %d bytes this server accepts", max)
	}
	if e := checkBody(c, body, SideRequest); e != nil {
		return "", nil, e
	}
	if e := v.recordNonce(c); e != nil {
		return "", nil, e
	}
	return c.origin, body, nil
}

// recordNonce is the last step: a fully verified request's nonce enters
// the replay cache, unless another request took it meanwhile.
func (v *Verifier) recordNonce(c *checked) *AuthError {
	p := &c.sig.params
	switch err := v.replay.add(c.origin, p.nonce, p.created, v.opts.Now().Unix()); {
	case errors.Is(err, ErrReplay):
		return replayed(p.nonce, c.origin)
	case err != nil:
		return refuse(ReasonReplayCacheFull, "this server is receiving more signed requests than it can remember nonces for; retry in a few seconds")
	}
	if v.opts.SharedNonces == nil {
		return nil
	}
	switch err := v.opts.SharedNonces.Remember(c.origin, p.nonce, time.Unix(p.created, 0).Add(v.opts.Skew)); {
	case errors.Is(err, ErrReplay):
		return replayed(p.nonce, c.origin)
	case err != nil:
		return refuse(ReasonReplayCacheFull, "the nonce could not be recorded for the other replicas (%v); retry in a few seconds", err)
	}
	return nil
}

func replayed(nonce, origin string) *AuthError {
	return refuse(ReasonReplay, "nonce %q of %q was already used: sign every request afresh", nonce, origin)
}

func (v *Verifier) logRefusal(r *http.Request, e *AuthError) {
	v.opts.Logger.Info("refused a signed call", "reason", e.Reason, "status", e.Status,
		"origin", r.Header.Get(HeaderOrigin), "method", r.Method, "path", r.URL.Path, "detail", e.Message)
}

// writeRefusal answers with the error envelope, signed by this server and
// bound to the request's signature when it had one that parsed.
func (v *Verifier) writeRefusal(w http.ResponseWriter, r *http.Request, e *AuthError) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	if e.Status == http.StatusServiceUnavailable {
		h.Set("Retry-After", "5")
	}
	v.writeSigned(w, r, e.Status, refusalBody(r.URL.Path, e))
}

func (v *Verifier) writeSigned(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	if err := v.opts.Signer.SignResponse(h, status, body, r); err != nil {
		// Only a broken random source or key gets here: answer unsigned
		// rather than hang; the caller will report the missing signature.
		v.opts.Logger.Error("signing a response failed", "err", err)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// signingWriter buffers a handler's response so that it can be digested and
// signed once complete.
type signingWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer

	// For StreamResponse: where the response goes, and the request it
	// answers; streamed once the headers are out.
	v        *Verifier
	out      http.ResponseWriter
	req      *http.Request
	streamed bool
}

func (s *signingWriter) Header() http.Header { return s.header }

func (s *signingWriter) WriteHeader(code int) {
	if s.status == 0 && code >= 200 {
		s.status = code
	}
}

func (s *signingWriter) Write(b []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	return s.buf.Write(b)
}

func (s *signingWriter) statusOr200() int {
	if s.status == 0 {
		return http.StatusOK
	}
	return s.status
}

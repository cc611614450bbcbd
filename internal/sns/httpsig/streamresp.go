package httpsig

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/emmansun/gmsm/sm3"
)

// StreamResponse answers, from a handler behind Middleware, with a body too
// large to buffer (a file, S2), copied from body as it is read. The
// response is signed like any other, over a Content-Digest made from
// digest, the SM3 of the body, which the handler must know beforehand (a
// stored file's); size is its length, sent as Content-Length.
//
// If body does not yield exactly those bytes, the caller's digest check
// fails and it discards what it read (docs/PROTOCOL.md, section 6): a
// wrong digest cannot make a caller accept other bytes. The error is that
// of the copy; the status is already sent by then, so the handler can only
// log it.
func StreamResponse(w http.ResponseWriter, status int, digest []byte, size int64, body io.Reader) error {
	sw, ok := w.(*signingWriter)
	switch {
	case !ok:
		return errors.New("httpsig: StreamResponse needs the ResponseWriter that Verifier.Middleware gives its handler")
	case sw.streamed || sw.status != 0 || sw.buf.Len() > 0:
		return errors.New("httpsig: StreamResponse called after the response was started")
	case len(digest) != sm3.Size:
		return fmt.Errorf("httpsig: StreamResponse needs an SM3 digest of %d bytes, got %d", sm3.Size, len(digest))
	case size < 0:
		return fmt.Errorf("httpsig: StreamResponse with a negative size %d", size)
	}
	sw.streamed = true
	h := sw.out.Header()
	if err := sw.v.opts.Signer.signResponse(h, status, digestField([sm3.Size]byte(digest)), sw.req); err != nil {
		sw.v.opts.Logger.Error("signing a response failed", "err", err)
	}
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	sw.out.WriteHeader(status)
	_, err := io.CopyN(sw.out, body, size)
	return err
}

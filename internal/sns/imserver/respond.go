package imserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/imictl/imictl/internal/callinfo"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Reasons of the application's refusals, sent in the envelope's "reason"
// beside the human "error" (docs/PROTOCOL.md, 6.2 and 9.7). They are part of
// the wire profile: never rename one. Authentication refusals use
// httpsig's reasons instead and never reach a handler.
const (
	ReasonBadRequest    = "bad_request"    // 400: malformed body or parameter, unknown message type, bad id
	ReasonNotLocal      = "not_local"      // 400: the id names another server than this one
	ReasonUnknownUser   = "unknown_user"   // 404: no such local user
	ReasonWrongSender   = "wrong_sender"   // 403: the sender (or message/file id) is not of the calling server
	ReasonNotPermitted  = "not_permitted"  // 403: no message to the caller carried this file
	ReasonVerifyRefused = "verify_refused" // 403: the user accepts no friend requests (verifyType 1)
	ReasonNoRequest     = "no_request"     // 404: an answer to a friend request nobody made
	ReasonConflict      = "conflict"       // 409: contradicts what was recorded (a request answered otherwise)
	ReasonNotFound      = "not_found"      // 404: no such interface, or no such file
	ReasonUnsupported   = "unsupported"    // 400: valid but not supported by this server
	ReasonInternal      = "internal"       // 500: this server failed; retry later
)

// apiError is a handler's refusal: an HTTP status, a stable reason and a
// message that says what went wrong and what to do.
type apiError struct {
	status int
	reason string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func refuse(status int, reason, format string, args ...any) *apiError {
	return &apiError{status: status, reason: reason, msg: fmt.Sprintf(format, args...)}
}

func badRequest(err error) *apiError {
	return refuse(http.StatusBadRequest, ReasonBadRequest, "%v", err)
}

const contentTypeJSON = "application/json;charset=utf-8"

// writeJSON answers with v; the signing middleware digests and signs it.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(wire.Fail(ReasonInternal, "encoding the answer failed"))
	}
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	w.Write(b)
}

// writeError answers with the standard's failure envelope. Errors that are
// not an *apiError are the server's own failures: logged, answered 500
// without details.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = storeError(err)
	}
	if e.status >= 500 {
		s.log.Error("handling a call failed", "path", r.URL.Path, "err", err)
	}
	callinfo.Refused(r.Context(), e.reason, e.msg)
	writeJSON(w, e.status, wire.Fail(e.reason, e.msg))
}

// storeError maps the store's refusals to statuses and reasons.
func storeError(err error) *apiError {
	switch {
	case errors.Is(err, imstore.ErrInvalid):
		return refuse(http.StatusBadRequest, ReasonBadRequest, "%v", err)
	case errors.Is(err, imstore.ErrNotFound):
		return refuse(http.StatusNotFound, ReasonNotFound, "%v", err)
	case errors.Is(err, imstore.ErrForbidden):
		return refuse(http.StatusForbidden, ReasonNotPermitted, "%v", err)
	case errors.Is(err, imstore.ErrState), errors.Is(err, imstore.ErrExists):
		return refuse(http.StatusConflict, ReasonConflict, "%v", err)
	}
	return refuse(http.StatusInternalServerError, ReasonInternal, "the server failed to handle the call; retry later")
}

// decodeBody reads a JSON request body into v (a wire type, whose decoding
// carries all the leniency) and validates it. The middleware has read the
// body already, bounded.
func decodeBody(r *http.Request, v interface{ Validate() error }) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return badRequest(fmt.Errorf("reading the body: %v", err))
	}
	if !json.Valid(body) {
		return badRequest(errors.New("the body is not a JSON document: send one JSON object, UTF-8 encoded"))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest(err)
	}
	if err := v.Validate(); err != nil {
		return badRequest(err)
	}
	return nil
}

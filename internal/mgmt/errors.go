package mgmt

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/imictl/imictl/internal/lenient"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// Refusals of this package; the store's sentinels cover the rest.
var (
	// ErrInvalidCSR: the CSR does not parse, its self-signature does not
	// verify, or it binds no serverId.
	ErrInvalidCSR = errors.New("invalid CSR")
	// ErrCSRServerID: the CSR is valid but names another serverId than the
	// application. It also matches ErrInvalidCSR.
	ErrCSRServerID = fmt.Errorf("%w: it names another serverId", ErrInvalidCSR)
	// ErrCAUnavailable: the operation needs the CA key, which is not loaded.
	ErrCAUnavailable = errors.New("the CA key is not loaded: give the CA password (--password-file or the prompt)")
	// ErrForbidden: the authenticated caller may not do this (another
	// server's application, a modify signed by another server).
	ErrForbidden = errors.New("forbidden")
)

// reasons maps each sentinel to its stable wire word and HTTP status. Order
// matters: the first match wins, so a more specific sentinel comes before
// the one it wraps. Never rename a reason: clients and scripts rely on them.
var reasons = []struct {
	reason string
	status int
	err    error
}{
	{"csr_wrong_server_id", http.StatusBadRequest, ErrCSRServerID},
	{"invalid_csr", http.StatusBadRequest, ErrInvalidCSR},
	{"invalid_request", http.StatusBadRequest, store.ErrInvalid},
	{"forbidden", http.StatusForbidden, ErrForbidden},
	{"not_found", http.StatusNotFound, store.ErrNotFound},
	{"server_exists", http.StatusConflict, store.ErrServerExists},
	{"server_id_retired", http.StatusConflict, store.ErrServerIDRetired},
	{"server_already_cancelled", http.StatusConflict, store.ErrServerCancelled},
	{"pending_application", http.StatusConflict, store.ErrPendingApplication},
	{"already_decided", http.StatusConflict, store.ErrAlreadyDecided},
	{"status_conflict", http.StatusConflict, store.ErrStatusConflict},
	{"certificate_exists", http.StatusConflict, store.ErrCertificateExists},
	{"already_revoked", http.StatusConflict, store.ErrAlreadyRevoked},
	{"stale_crl", http.StatusConflict, store.ErrStaleCRL},
	{"notification_not_pending", http.StatusConflict, store.ErrOutboxEntryNotReady},
	{"ca_unavailable", http.StatusServiceUnavailable, ErrCAUnavailable},
	{"database_locked", http.StatusServiceUnavailable, store.ErrLocked},
	{"schema_too_new", http.StatusInternalServerError, store.ErrSchemaTooNew},
}

// ReasonInternal is the reason of an error no sentinel matches.
const ReasonInternal = "internal"

// KnownReason reports whether reason is one of this package's refusals
// (as opposed to an authentication refusal of httpsig).
func KnownReason(reason string) bool {
	if reason == ReasonInternal {
		return true
	}
	for _, r := range reasons {
		if r.reason == reason {
			return true
		}
	}
	return false
}

// ReasonOf returns the stable reason word and HTTP status for err:
// "not_found" and 404 for store.ErrNotFound, "internal" and 500 for an error
// no sentinel matches.
func ReasonOf(err error) (reason string, status int) {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason, e.HTTPStatus()
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.reason, r.status
		}
	}
	return ReasonInternal, http.StatusInternalServerError
}

// Error is a refusal as the management APIs report it: {"reason","desc"}
// with an HTTP status. It matches the sentinel of its Reason with
// errors.Is, so a client that rebuilds it from the wire gets errors that
// behave like the Service's own.
type Error struct {
	Reason string `json:"reason"`
	Desc   string `json:"desc"`
	Status int    `json:"-"` // the HTTP status it came with (0: from Reason)
}

// NewError converts err into the wire form; an *Error is returned as is.
func NewError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	reason, status := ReasonOf(err)
	return &Error{Reason: reason, Desc: err.Error(), Status: status}
}

func (e *Error) Error() string {
	if e.Desc == "" {
		return e.Reason
	}
	return e.Desc
}

// HTTPStatus is Status, or the status of Reason when Status is unset.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	for _, r := range reasons {
		if r.reason == e.Reason {
			return r.status
		}
	}
	return http.StatusInternalServerError
}

// Is matches the sentinel of e.Reason (and what that sentinel wraps).
func (e *Error) Is(target error) bool {
	for _, r := range reasons {
		if r.reason == e.Reason {
			return errors.Is(r.err, target)
		}
	}
	return false
}

// invalid turns a wire validation error into a store.ValidationError, so
// that every validation failure matches store.ErrInvalid.
func invalid(err error) error {
	var fe *lenient.FieldError
	if errors.As(err, &fe) {
		return &store.ValidationError{Field: fe.Path, Problem: fe.Problem}
	}
	return &store.ValidationError{Field: "request", Problem: err.Error()}
}

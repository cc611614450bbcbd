package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// Exit codes. This table is the one place they are decided: ExitCode maps
// errors to them and `imictl help exit-codes` prints ExitCodes.
const (
	ExitOK          = 0 // success
	ExitFailure     = 1 // any other failure
	ExitUsage       = 2 // bad flags or arguments, or a required value missing
	ExitCancelled   = 3 // the user said no, pressed Ctrl-C, or a signal arrived
	ExitAuth        = 4 // authentication or certificate failure
	ExitPending     = 5 // the request is accepted but waits for approval
	ExitUnavailable = 6 // a server is unreachable or a database is locked: retry later
	ExitNotFound    = 7 // the named object does not exist
)

// ExitCodeInfo describes one exit code for `imictl help exit-codes`.
type ExitCodeInfo struct {
	Code    int    `json:"code"`
	Name    string `json:"name"`
	Meaning string `json:"meaning"`
}

// ExitCodes is the documented table, in order.
var ExitCodes = []ExitCodeInfo{
	{ExitOK, "ok", "success"},
	{ExitFailure, "error", "failure not covered below; the message on stderr says what went wrong"},
	{ExitUsage, "usage", "invalid flags or arguments, or a required value missing when there is no terminal to ask for it"},
	{ExitCancelled, "cancelled", "declined a confirmation, pressed Ctrl-C, or interrupted by a signal"},
	{ExitAuth, "auth", "authentication or certificate failure (bad signature, untrusted, expired, revoked, wrong server id)"},
	{ExitPending, "pending", "the request was accepted and waits for approval by an administrator"},
	{ExitUnavailable, "unavailable", "a server could not be reached or answered 503, or a database is locked by a running server"},
	{ExitNotFound, "not-found", "the named registration, certificate, server or object does not exist"},
}

// ExitError is an error with an exit code. Reason is an optional
// machine-readable word such as "revoked" for scripts. An ExitError with a nil
// Err sets the exit code without printing anything (for commands whose output
// already says it all, like a check that answers "no").
type ExitError struct {
	Code   int
	Reason string
	Err    error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	if e.Reason != "" {
		return fmt.Sprintf("%v (reason: %s)", e.Err, e.Reason)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks errors that also print the command's usage.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// UsageError reports bad flags or arguments (exit 2); the command's usage is
// printed after the message. Say which flag and what to pass instead.
func UsageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: &usageError{fmt.Errorf(format, args...)}}
}

// AsUsageError turns an error (for example from flag parsing) into a usage
// error, keeping its message.
func AsUsageError(err error) error {
	if err == nil || IsUsageError(err) {
		return err
	}
	return &ExitError{Code: ExitUsage, Err: &usageError{err}}
}

// IsUsageError reports whether err should be followed by the usage text.
func IsUsageError(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}

// AuthError reports an authentication or certificate failure (exit 4) with a
// machine-readable reason such as "revoked" or "bad_signature".
func AuthError(reason string, err error) error {
	return &ExitError{Code: ExitAuth, Reason: reason, Err: err}
}

// RefusalError gives a call refused by the signature layer (an httpsig
// reason, in either direction) its exit code: 6 when the reason means "retry
// later" (it is answered with 503: a full replay cache, no directory, no
// fresh CRL), else 4. The reason word is kept for scripts.
func RefusalError(reason httpsig.Reason, err error) error {
	code := ExitAuth
	if reason.Status() == http.StatusServiceUnavailable {
		code = ExitUnavailable
	}
	return &ExitError{Code: code, Reason: string(reason), Err: err}
}

// PendingError reports that a request waits for approval (exit 5).
func PendingError(format string, args ...any) error {
	return &ExitError{Code: ExitPending, Err: fmt.Errorf(format, args...)}
}

// UnavailableError reports an unreachable server or a locked database
// (exit 6). The message should say what to do, e.g. "stop the server or use
// --mgmt URL".
func UnavailableError(err error) error {
	return &ExitError{Code: ExitUnavailable, Err: err}
}

// NotFoundError reports that the named object does not exist (exit 7).
func NotFoundError(format string, args ...any) error {
	return &ExitError{Code: ExitNotFound, Err: fmt.Errorf(format, args...)}
}

// ErrCancelled is returned when the user declines or interrupts (exit 3).
var ErrCancelled = &ExitError{Code: ExitCancelled, Err: errors.New("cancelled")}

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var e *ExitError
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, prompt.ErrCancelled) || errors.Is(err, context.Canceled) {
		return ExitCancelled
	}
	return ExitFailure
}

// ErrorReason returns the machine-readable reason carried by err, or "".
func ErrorReason(err error) string {
	var e *ExitError
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// IsSilent reports whether err only carries an exit code and nothing to print.
// A wrapped one is not silent: whoever wrapped it added a message.
func IsSilent(err error) bool {
	e, ok := err.(*ExitError)
	return ok && e.Err == nil
}

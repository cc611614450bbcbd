package mgmtutil

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// Error gives an error of the management server, its client or its store
// the exit code `imictl help exit-codes` documents, and the refusal's
// stable reason word (printed as "(reason: ...)" for scripts):
//
//	4  authentication (either direction), a certificate that does not
//	   verify, a wrong password, a forbidden call, a root whose
//	   fingerprint does not match
//	6  an unreachable server, a 503 (a signature refusal meaning "retry
//	   later" too), a database locked by a running server
//	7  no such application, server, certificate or CRL
//	1  any other refusal (server_exists, already_decided, invalid_csr, ...)
//
// An error that already carries an exit code keeps it.
func Error(err error) error {
	if err == nil {
		return nil
	}
	var ee *cmdutil.ExitError
	if errors.As(err, &ee) {
		return err
	}
	var ae *httpsig.AuthError
	var ce *pki.CertError
	switch {
	case errors.As(err, &ae):
		return cmdutil.RefusalError(ae.Reason, err)
	case errors.As(err, &ce):
		return cmdutil.AuthError(string(ce.Reason), err)
	case errors.Is(err, pki.ErrBadPassword):
		return cmdutil.AuthError("bad_password", err)
	case errors.Is(err, client.ErrFingerprintMismatch):
		return cmdutil.AuthError("fingerprint_mismatch", err)
	case errors.Is(err, mgmt.ErrForbidden):
		return cmdutil.AuthError("forbidden", err)
	case errors.Is(err, store.ErrLocked):
		return &cmdutil.ExitError{Code: cmdutil.ExitUnavailable, Reason: "database_locked", Err: err}
	case errors.Is(err, store.ErrNotFound):
		return &cmdutil.ExitError{Code: cmdutil.ExitNotFound, Reason: "not_found", Err: err}
	case Unreachable(err):
		return cmdutil.UnavailableError(fmt.Errorf("%w; check the URL (--mgmt) and that the server is running", err))
	}
	var me *mgmt.Error
	if errors.As(err, &me) {
		code := cmdutil.ExitFailure
		if me.HTTPStatus() == http.StatusServiceUnavailable {
			code = cmdutil.ExitUnavailable
		}
		return &cmdutil.ExitError{Code: code, Reason: me.Reason, Err: err}
	}
	if reason, _ := mgmt.ReasonOf(err); reason != mgmt.ReasonInternal {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailure, Reason: reason, Err: err}
	}
	return err
}

// Unreachable reports a call that got no answer: refused, no route, DNS,
// or a timeout.
func Unreachable(err error) bool {
	var oe *net.OpError
	var de *net.DNSError
	var ne net.Error
	return errors.As(err, &oe) && oe.Op == "dial" ||
		errors.As(err, &de) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.As(err, &ne) && ne.Timeout()
}

package im

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// fail gives an error of the admin API the exit code `imictl help
// exit-codes` documents, with the server's stable reason word:
//
//	6  the server is not running (reason not_running), a peer could not be
//	   reached or is unavailable (502, 503, 504; not file_mismatch)
//	7  no such user, message, file, request or outbox item (404)
//	4  a call to another server failed authentication (httpsig's reasons;
//	   6 for those that mean "retry later", see cmdutil.RefusalError)
//	1  any other refusal (bad_request, conflict, verify_refused, ...)
func (o *Options) fail(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, adminclient.ErrNotRunning) {
		// The client's error names the HTTP request; say it for people.
		return &cmdutil.ExitError{Code: cmdutil.ExitUnavailable, Reason: "not_running", Err: fmt.Errorf(
			"the IM server of %s is not running (nothing answers on %s): start it with `imictl serve`, or point --data-dir at its data directory",
			o.dataDir, o.socket)}
	}
	var ae *adminclient.Error
	if !errors.As(err, &ae) {
		return err
	}
	// The admin API passes on httpsig's refusals when a call it made to
	// another server for us (a query, a file download) failed
	// authentication in either direction.
	if r := httpsig.Reason(ae.Reason); r.Known() {
		return cmdutil.RefusalError(r, err)
	}
	code := cmdutil.ExitFailure
	switch {
	case ae.Reason == imserver.ReasonFileMismatch: // the origin's fault, not an outage
	case ae.Status == http.StatusNotFound:
		code = cmdutil.ExitNotFound
	case ae.Status == http.StatusBadGateway, ae.Status == http.StatusServiceUnavailable, ae.Status == http.StatusGatewayTimeout:
		code = cmdutil.ExitUnavailable
	}
	return &cmdutil.ExitError{Code: code, Reason: ae.Reason, Err: err}
}

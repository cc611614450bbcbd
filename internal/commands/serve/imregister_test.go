package serve

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// Waiting for a decision rides out a management server that answers 503,
// and stops on any other refusal.
func TestUnavailableIsRetried(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&mgmt.Error{Reason: "unavailable", Status: http.StatusServiceUnavailable}, true},
		{fmt.Errorf("status: %w", &httpsig.AuthError{Reason: httpsig.ReasonCRLUnavailable, Status: http.StatusServiceUnavailable, Reported: true}), true},
		{&httpsig.AuthError{Reason: httpsig.ReasonSignatureInvalid, Status: http.StatusUnauthorized, Reported: true}, false},
		{&mgmt.Error{Reason: "not_found", Status: http.StatusNotFound}, false},
		{errors.New("connection refused"), false}, // a network error: retried by its own case
	} {
		if got := unavailable(tc.err); got != tc.want {
			t.Errorf("unavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

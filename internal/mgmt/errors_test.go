package mgmt

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/imictl/imictl/internal/mgmt/store"
)

// Every reason survives the trip through the wire form: an *Error rebuilt
// from the reason word matches the same sentinel.
func TestErrorRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range reasons {
		if seen[r.reason] {
			t.Fatalf("reason %q twice", r.reason)
		}
		seen[r.reason] = true
		err := fmt.Errorf("context: %w", r.err)
		wire := NewError(err)
		if wire.Reason != r.reason || wire.HTTPStatus() != r.status || wire.Desc != err.Error() {
			t.Errorf("%v: wire %+v", r.err, wire)
		}
		back := &Error{Reason: wire.Reason, Desc: wire.Desc}
		if !errors.Is(back, r.err) || back.HTTPStatus() != r.status {
			t.Errorf("%s does not come back as %v", r.reason, r.err)
		}
	}
	if !errors.Is(&Error{Reason: "csr_wrong_server_id"}, ErrInvalidCSR) {
		t.Error("csr_wrong_server_id is not an invalid CSR")
	}
	if errors.Is(&Error{Reason: "invalid_csr"}, ErrCSRServerID) {
		t.Error("any invalid CSR matches csr_wrong_server_id")
	}
	if r, s := ReasonOf(errors.New("disk full")); r != ReasonInternal || s != http.StatusInternalServerError {
		t.Errorf("unknown error: %s %d", r, s)
	}
	if e := (&Error{Reason: "made_up"}); errors.Is(e, store.ErrNotFound) || e.HTTPStatus() != 500 {
		t.Error("an unknown reason matches a sentinel")
	}
}

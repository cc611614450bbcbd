package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   int
		msg    string
		reason string
		usage  bool
	}{
		{"nil", nil, ExitOK, "", "", false},
		{"plain error", errors.New("boom"), ExitFailure, "boom", "", false},
		{"usage", UsageError("--out is required"), ExitUsage, "--out is required", "", true},
		{"wrapped usage", fmt.Errorf("gen: %w", UsageError("bad --type %q", "x")), ExitUsage, `gen: bad --type "x"`, "", true},
		{"as usage", AsUsageError(errors.New("unknown flag: --x")), ExitUsage, "unknown flag: --x", "", true},
		{"cancelled", ErrCancelled, ExitCancelled, "cancelled", "", false},
		{"prompt aborted", fmt.Errorf("asking name: %w", prompt.ErrCancelled), ExitCancelled, "asking name: cancelled at the prompt", "", false},
		{"context cancelled", fmt.Errorf("GET /x: %w", context.Canceled), ExitCancelled, "GET /x: context canceled", "", false},
		{"auth", AuthError("revoked", errors.New("certificate S1 is revoked")), ExitAuth, "certificate S1 is revoked (reason: revoked)", "revoked", false},
		{"auth without reason", AuthError("", errors.New("bad signature")), ExitAuth, "bad signature", "", false},
		{"refused", RefusalError(httpsig.ReasonCertRevoked, errors.New("request refused")), ExitAuth, "request refused (reason: cert_revoked)", "cert_revoked", false},
		{"refused, retry later", RefusalError(httpsig.ReasonCRLUnavailable, errors.New("no CRL")), ExitUnavailable, "no CRL (reason: crl_unavailable)", "crl_unavailable", false},
		{"pending", PendingError("registration %s waits for approval", "S1"), ExitPending, "registration S1 waits for approval", "", false},
		{"unavailable", UnavailableError(errors.New("database locked")), ExitUnavailable, "database locked", "", false},
		{"not found", NotFoundError("no server %q", "S9"), ExitNotFound, `no server "S9"`, "", false},
		{"custom", &ExitError{Code: 42, Err: errors.New("x")}, 42, "x", "", false},
		{"silent", &ExitError{Code: ExitAuth}, ExitAuth, "exit status 4", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.code {
				t.Errorf("ExitCode = %d, want %d", got, tt.code)
			}
			if tt.err == nil {
				return
			}
			if got := tt.err.Error(); got != tt.msg {
				t.Errorf("Error() = %q, want %q", got, tt.msg)
			}
			if got := ErrorReason(tt.err); got != tt.reason {
				t.Errorf("ErrorReason = %q, want %q", got, tt.reason)
			}
			if got := IsUsageError(tt.err); got != tt.usage {
				t.Errorf("IsUsageError = %v, want %v", got, tt.usage)
			}
		})
	}
}

func TestIsSilent(t *testing.T) {
	silent := &ExitError{Code: 5}
	if !IsSilent(silent) {
		t.Error("ExitError without Err must be silent")
	}
	if IsSilent(fmt.Errorf("context: %w", silent)) {
		t.Error("a wrapped silent error carries a message and must print")
	}
	if IsSilent(UsageError("x")) || IsSilent(errors.New("x")) {
		t.Error("errors with a message are not silent")
	}
}

func TestAsUsageErrorKeepsNil(t *testing.T) {
	if AsUsageError(nil) != nil {
		t.Fatal("AsUsageError(nil) must be nil")
	}
	u := UsageError("x")
	if AsUsageError(u) != u {
		t.Fatal("AsUsageError must not wrap a usage error twice")
	}
}

func TestExitCodesTableIsComplete(t *testing.T) {
	want := []int{ExitOK, ExitFailure, ExitUsage, ExitCancelled, ExitAuth, ExitPending, ExitUnavailable, ExitNotFound}
	if len(ExitCodes) != len(want) {
		t.Fatalf("ExitCodes has %d entries, want %d", len(ExitCodes), len(want))
	}
	for i, c := range ExitCodes {
		if c.Code != want[i] || c.Name == "" || c.Meaning == "" {
			t.Errorf("entry %d = %+v", i, c)
		}
	}
}

package mgmtutil_test

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"365d", 365 * 24 * time.Hour, true},
		{"1.5d", 36 * time.Hour, true},
		{"720h", 720 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"0d", 0, false},
		{"-1d", 0, false},
		{"0s", 0, false},
		{"-5m", 0, false},
		{"40000d", 0, false},
		{"d", 0, false},
		{"a year", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := mgmtutil.ParseDuration("validity", tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("%q: %v, %v", tt.in, got, err)
		}
		if err != nil && cmdutil.ExitCode(err) != cmdutil.ExitUsage {
			t.Errorf("%q: exit %d, want a usage error", tt.in, cmdutil.ExitCode(err))
		}
	}
}

// Every kind of failure gets its documented exit code and reason.
func TestError(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name   string
		err    error
		code   int
		reason string
	}{
		{"auth", &httpsig.AuthError{Reason: "bad_signature"}, 4, "bad_signature"},
		{"cert", &pki.CertError{Reason: pki.ReasonExpired, Err: errors.New("expired")}, 4, "expired"},
		{"password", fmt.Errorf("CA key: %w", pki.ErrBadPassword), 4, "bad_password"},
		{"fingerprint", fmt.Errorf("%w: other", client.ErrFingerprintMismatch), 4, "fingerprint_mismatch"},
		{"forbidden over the wire", &mgmt.Error{Reason: "forbidden"}, 4, "forbidden"},
		{"locked", &store.LockedError{Path: "x"}, 6, "database_locked"},
		{"unreachable", fmt.Errorf("post: %w", dial), 6, ""},
		{"503", &mgmt.Error{Reason: "ca_unavailable"}, 6, "ca_unavailable"},
		{"not found", &store.NotFoundError{Kind: "server", Key: "x"}, 7, "not_found"},
		{"not found over the wire", &mgmt.Error{Reason: "not_found", Status: 404}, 7, "not_found"},
		{"refusal", &mgmt.Error{Reason: "server_exists", Status: 409}, 1, "server_exists"},
		{"local refusal", &store.AlreadyDecidedError{ID: "req-1"}, 1, "already_decided"},
		{"other", errors.New("boom"), 1, ""},
		{"already an exit code", cmdutil.UsageError("bad"), 2, ""},
	}
	for _, tt := range tests {
		err := mgmtutil.Error(tt.err)
		if code := cmdutil.ExitCode(err); code != tt.code || cmdutil.ErrorReason(err) != tt.reason || !errors.Is(err, tt.err) {
			t.Errorf("%s: exit %d, reason %q (%v); want %d, %q", tt.name, code, cmdutil.ErrorReason(err), err, tt.code, tt.reason)
		}
	}
	if mgmtutil.Error(nil) != nil {
		t.Error("Error(nil) is not nil")
	}
}

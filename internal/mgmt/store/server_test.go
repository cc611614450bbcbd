package store

import (
	"errors"
	"strings"
	"testing"
)

func TestSetStatusSuspendResume(t *testing.T) {
	s, _ := openTest(t)
	register(t, s, "alpha")
	old := register(t, s, "beta")
	srv, err := s.SetStatus("admin", "beta", StatusNormal, StatusSuspended)
	if err != nil || srv.Status != StatusSuspended || srv.ChangedAt <= old.ChangedAt {
		t.Fatalf("suspend: %+v, %v", srv, err)
	}
	if got := mustServer(t, s, "beta"); got != srv {
		t.Fatalf("stored %+v, returned %+v", got, srv)
	}
	// A suspended server is not notified of others' changes.
	register(t, s, "gamma")
	for _, e := range mustOutbox(t, s, OutboxFilter{Destination: "beta"}) {
		if e.Subject == "gamma" {
			t.Fatalf("suspended server notified: %+v", e)
		}
	}
	if srv, err = s.SetStatus("admin", "beta", StatusSuspended, StatusNormal); err != nil || srv.Status != StatusNormal {
		t.Fatalf("resume: %+v, %v", srv, err)
	}
	audit, _ := s.Audit(AuditFilter{Subject: "beta"})
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "server.create server.suspend server.resume" {
		t.Fatalf("audit of beta: %s", got)
	}
}

func TestSetStatusRefused(t *testing.T) {
	s, _ := openTest(t)
	register(t, s, "alpha")
	register(t, s, "gone")
	cancel(t, s, "gone")
	tests := []struct {
		name     string
		actor    string
		id       string
		from, to Status
		want     error
		message  string
	}{
		{"stale expectation", "admin", "alpha", StatusSuspended, StatusNormal, ErrStatusConflict, "server alpha has status 0 (normal), not 1 (suspended); nothing was changed"},
		{"to cancelled", "admin", "alpha", StatusNormal, StatusCancelled, ErrInvalid, "cancel through a cancel application"},
		{"no change", "admin", "alpha", StatusNormal, StatusNormal, ErrInvalid, "only suspend"},
		{"cancelled server", "admin", "gone", StatusNormal, StatusSuspended, ErrServerCancelled, "cannot be changed or restored"},
		{"unknown server", "admin", "nobody", StatusNormal, StatusSuspended, ErrNotFound, `no server "nobody"`},
		{"no actor", "", "alpha", StatusNormal, StatusSuspended, ErrInvalid, "invalid actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			_, err := s.SetStatus(tt.actor, tt.id, tt.from, tt.to)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("got %v, want %v containing %q", err, tt.want, tt.message)
			}
			assertUnchanged(t, before, dump(t, s))
		})
	}
}

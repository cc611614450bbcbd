package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestOutboxDeliveryLifecycle(t *testing.T) {
	s, c := openTest(t)
	register(t, s, "alpha")
	register(t, s, "beta")  // alpha is told of beta
	register(t, s, "gamma") // alpha and beta are told of gamma
	due, err := s.DueOutbox(c.Now(), 0)
	if err != nil || len(due) != 3 {
		t.Fatalf("due: %+v, %v", due, err)
	}
	if e := due[0]; e.Destination != "alpha" || e.Subject != "beta" || e.Attempts != 0 || !e.NextAttemptAt.Equal(c.Now()) {
		t.Fatalf("first due %+v", e)
	}
	if limited, _ := s.DueOutbox(c.Now(), 2); len(limited) != 2 {
		t.Fatalf("limit 2: %d", len(limited))
	}
	if early, _ := s.DueOutbox(c.Now().Add(-time.Millisecond), 0); len(early) != 0 {
		t.Fatalf("due before they were queued: %+v", early)
	}

	retryAt := c.Now().Add(time.Minute)
	if err := s.MarkFailed(due[0].ID, retryAt, "connection refused"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDelivered(due[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDelivered(due[1].ID); err != nil {
		t.Fatalf("delivering twice is a no-op: %v", err)
	}
	now, _ := s.DueOutbox(c.Now(), 0)
	if len(now) != 1 || now[0].ID != due[2].ID {
		t.Fatalf("due now: %+v", now)
	}
	later, _ := s.DueOutbox(retryAt, 0)
	if len(later) != 2 || later[1].ID != due[0].ID || later[1].Attempts != 1 || later[1].LastError != "connection refused" {
		t.Fatalf("due at retry time: %+v", later)
	}
	delivered := mustOutbox(t, s, OutboxFilter{State: OutboxDelivered})
	if len(delivered) != 1 || delivered[0].ID != due[1].ID || !delivered[0].DeliveredAt.Equal(c.Now()) || delivered[0].Attempts != 1 {
		t.Fatalf("delivered %+v", delivered)
	}

	n, err := s.RetryDestination("admin", "alpha")
	if err != nil || n != 1 {
		t.Fatalf("retry alpha: %d, %v", n, err)
	}
	if now, _ := s.DueOutbox(c.Now(), 0); len(now) != 2 {
		t.Fatalf("after retry: %+v", now)
	}
	if err := s.MarkFailed(due[2].ID, retryAt, "timeout"); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryEntry("admin", due[2].ID); err != nil {
		t.Fatal(err)
	}
	if now, _ := s.DueOutbox(c.Now(), 0); len(now) != 2 {
		t.Fatalf("after retrying one entry: %+v", now)
	}
	if got := mustOutbox(t, s, OutboxFilter{Destination: "beta", Limit: 1}); len(got) != 1 || got[0].Subject != "gamma" {
		t.Fatalf("list for beta: %+v", got)
	}
}

func TestOutboxRefused(t *testing.T) {
	s, c := openTest(t)
	register(t, s, "alpha")
	register(t, s, "beta")
	due, _ := s.DueOutbox(c.Now(), 0)
	if err := s.MarkDelivered(due[0].ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		do      func() error
		want    error
		message string
	}{
		{"fail delivered", func() error { return s.MarkFailed(due[0].ID, c.Now(), "x") }, ErrOutboxEntryNotReady, "was delivered at"},
		{"retry delivered", func() error { return s.RetryEntry("admin", due[0].ID) }, ErrOutboxEntryNotReady, "nothing to retry"},
		{"deliver unknown", func() error { return s.MarkDelivered(999) }, ErrNotFound, `no outbox entry "999"`},
		{"fail unknown", func() error { return s.MarkFailed(999, c.Now(), "x") }, ErrNotFound, "999"},
		{"retry unknown", func() error { return s.RetryEntry("admin", 999) }, ErrNotFound, "999"},
		{"retry without actor", func() error { return s.RetryEntry("", due[0].ID) }, ErrInvalid, "invalid actor"},
		{"retry destination without actor", func() error { _, err := s.RetryDestination("", "alpha"); return err }, ErrInvalid, "invalid actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			err := tt.do()
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("got %v, want %v containing %q", err, tt.want, tt.message)
			}
			assertUnchanged(t, before, dump(t, s))
		})
	}
	before := dump(t, s)
	if n, err := s.RetryDestination("admin", "nobody"); n != 0 || err != nil {
		t.Fatalf("retry with nothing pending: %d, %v", n, err)
	}
	assertUnchanged(t, before, dump(t, s))
}

func TestAuditFilter(t *testing.T) {
	s, _ := openTest(t)
	register(t, s, "alpha")
	all, err := s.Audit(AuditFilter{})
	if err != nil || len(all) != 4 { // submit, issue, create, approve
		t.Fatalf("audit %+v, %v", all, err)
	}
	for i, e := range all {
		if e.Seq != uint64(i+1) || e.Actor == "" || e.At.IsZero() {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
	if got, _ := s.Audit(AuditFilter{After: 1, Limit: 2}); len(got) != 2 || got[0].Seq != 2 {
		t.Fatalf("after 1, limit 2: %+v", got)
	}
	if got, _ := s.Audit(AuditFilter{Subject: "alpha"}); len(got) != 1 || got[0].Action != ActionServerCreate {
		t.Fatalf("subject alpha: %+v", got)
	}
}

func TestPruneOutbox(t *testing.T) {
	s, c := openTest(t)
	register(t, s, "alpha")
	register(t, s, "beta")
	register(t, s, "gamma")
	due, _ := s.DueOutbox(c.Now(), 0) // 3 entries
	for _, e := range due[:2] {
		if err := s.MarkDelivered(e.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.PruneOutbox(c.Now().Add(time.Second), 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("limit 0: %v", err)
	}
	if n, err := s.PruneOutbox(c.Now(), 10); n != 0 || err != nil {
		t.Fatalf("delivered at the cutoff are kept: %d, %v", n, err)
	}
	if n, err := s.PruneOutbox(c.Now().Add(time.Second), 1); n != 1 || err != nil {
		t.Fatalf("limit 1: %d, %v", n, err)
	}
	if n, err := s.PruneOutbox(c.Now().Add(time.Second), 10); n != 1 || err != nil {
		t.Fatalf("the rest: %d, %v", n, err)
	}
	left := mustOutbox(t, s, OutboxFilter{})
	if len(left) != 1 || left[0].ID != due[2].ID || left[0].State != OutboxPending {
		t.Fatalf("left %+v", left)
	}
}

package admin_test

import (
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/admin"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// alpha-im's address does not answer, so the notice that beta-im was
// registered stays pending for it.
func TestNotifications(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := newWorld(t, m.stop, mgmttest.Options{})
			res := w.run(t, "admin", "notifications", "-o", "json")
			res.Expect(t, 0)
			sum := decode[[]mgmt.DestinationState](t, res)
			if len(sum) != 1 || sum[0].Destination != "alpha-im" || sum[0].Pending != 1 || sum[0].Delivered != 0 || sum[0].OldestPending.IsZero() {
				t.Fatalf("summary: %+v", sum)
			}
			res = w.run(t, "admin", "notifications", "--entries", "--state", "pending", "-o", "json")
			res.Expect(t, 0)
			entries := decode[[]store.OutboxEntry](t, res)
			if len(entries) != 1 || entries[0].Destination != "alpha-im" || entries[0].Subject != "beta-im" || entries[0].State != store.OutboxPending {
				t.Fatalf("entries: %+v", entries)
			}
			res = w.run(t, "admin", "notifications", "--entries", "--destination", "beta-im", "-o", "json")
			res.Expect(t, 0)
			if res.Stdout != "[]\n" {
				t.Errorf("--destination beta-im: %s", res.Stdout)
			}
			res = w.run(t, "admin", "notifications")
			res.Expect(t, 0)
			if !strings.HasPrefix(res.Stdout, "DESTINATION   PENDING   DELIVERED") || !strings.Contains(res.Stdout, "alpha-im      1         0   ") {
				t.Errorf("table:\n%s", res.Stdout)
			}

			res = w.run(t, "admin", "notifications", "retry", "alpha-im", "-o", "json")
			res.Expect(t, 0)
			if got := decode[admin.RetryResult](t, res); got.Count != 1 || got.Destination != "alpha-im" {
				t.Errorf("retry alpha-im: %+v", got)
			}
			res = w.run(t, "admin", "notifications", "retry", "--all", "--yes", "-o", "json")
			res.Expect(t, 0)
			if res.Stdout != "{\n  \"count\": 1\n}\n" {
				t.Errorf("retry --all: %s", res.Stdout)
			}
			res = w.run(t, "admin", "audit", "--subject", "alpha-im", "-o", "json")
			res.Expect(t, 0)
			if got := decode[[]store.AuditEntry](t, res); len(got) != 3 || got[1].Action != store.ActionOutboxRetry || got[1].Actor != osActor(t) {
				t.Errorf("audit: %+v", got)
			}
		})
	}
}

func TestNotificationsBadInput(t *testing.T) {
	w := newWorld(t, true, mgmttest.Options{})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"admin", "notifications", "retry"}, "which destination? give its serverId, or --all"},
		{[]string{"admin", "notifications", "retry", "alpha-im", "--all"}, "give a destination or --all, not both"},
		{[]string{"admin", "notifications", "retry", "alpha im"}, `invalid destination "alpha im"`},
		{[]string{"admin", "notifications", "--state", "lost"}, `invalid --state "lost"`},
		{[]string{"admin", "notifications", "--limit", "5"}, "--limit applies to --entries"},
		{[]string{"admin", "notifications", "resend"}, `unknown command "resend"`},
		{[]string{"admin", "audit", "--limit", "-1"}, "--limit must not be negative"},
	}
	for _, tt := range tests {
		res := w.run(t, tt.args...)
		if res.Code != 2 || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, res.Code, res.Stderr, tt.want)
		}
	}
}

func TestAudit(t *testing.T) {
	w := newWorld(t, true, mgmttest.Options{})
	res := w.run(t, "admin", "audit", "-o", "json")
	res.Expect(t, 0)
	all := decode[[]store.AuditEntry](t, res)
	if len(all) < 4 || all[0].Seq != 1 {
		t.Fatalf("audit: %+v", all)
	}
	res = w.run(t, "admin", "audit", "--after", "2", "--limit", "2", "-o", "json")
	res.Expect(t, 0)
	if got := decode[[]store.AuditEntry](t, res); len(got) != 2 || got[0].Seq != 3 || got[1].Seq != 4 {
		t.Errorf("--after 2 --limit 2: %+v", got)
	}
	res = w.run(t, "admin", "audit", "--subject", "req-3")
	res.Expect(t, 0)
	if !strings.HasPrefix(res.Stdout, "SEQ   AT") || !strings.Contains(res.Stdout, "applicant:gamma-im   application.submit   req-3") {
		t.Errorf("table:\n%s", res.Stdout)
	}
}

// A change whose notifications are not queued yet (the notifier expands
// it while the server runs; here it is stopped) is in no row: the table
// says so on stderr, and JSON stays the list of destinations.
func TestNotificationsShowQueuedChanges(t *testing.T) {
	w := newWorld(t, true, mgmttest.Options{})
	res := w.run(t, "admin", "notifications")
	res.Expect(t, 0)
	if res.Stderr != "" {
		t.Errorf("with every change expanded, stderr %q", res.Stderr)
	}
	w.run(t, "admin", "approve", "req-3", "--yes").Expect(t, 0)
	res = w.run(t, "admin", "notifications")
	res.Expect(t, 0)
	if !strings.HasPrefix(res.Stderr, "1 change is still being queued for the active servers (the oldest, of gamma-im, since ") {
		t.Errorf("stderr %q: want the queued change of gamma-im", res.Stderr)
	}
	res = w.run(t, "admin", "notifications", "-o", "json")
	res.Expect(t, 0)
	if res.Stderr != "" || len(decode[[]mgmt.DestinationState](t, res)) != 1 {
		t.Errorf("JSON: %s, stderr %q", res.Stdout, res.Stderr)
	}
}

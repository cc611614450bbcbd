package mgmt

import (
	"reflect"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/mgmt/store"
)

func TestSummarizeNotifications(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	in := []store.OutboxEntry{
		{ID: 1, Destination: "b", State: store.OutboxDelivered, DeliveredAt: at(1)},
		{ID: 2, Destination: "a", State: store.OutboxPending, CreatedAt: at(2), NextAttemptAt: at(9), Attempts: 3, LastError: "connection refused"},
		{ID: 3, Destination: "a", State: store.OutboxPending, CreatedAt: at(3), NextAttemptAt: at(5), Attempts: 1, LastError: "later"},
		{ID: 4, Destination: "b", State: store.OutboxDelivered, DeliveredAt: at(4)},
	}
	want := []DestinationState{
		{Destination: "a", Pending: 2, Attempts: 3, OldestPending: at(2), NextAttemptAt: at(5), LastError: "connection refused"},
		{Destination: "b", Delivered: 2, LastDelivered: at(4)},
	}
	if got := SummarizeNotifications(in); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestRetryNotifications(t *testing.T) {
	e := newEnv(t, nil)
	e.register(t, "a")
	e.register(t, "b") // queues a notification for a
	e.register(t, "c") // and for a and b
	for _, d := range []string{"a", "b"} {
		for _, en := range must(e.svc.Notifications(bg, store.OutboxFilter{Destination: d})) {
			if err := e.st.MarkFailed(en.ID, e.clock.Now().Add(time.Hour), "down"); err != nil {
				t.Fatal(err)
			}
		}
	}
	woken := 0
	e.svc.opts.Changed = func() { woken++ }
	if n, err := e.svc.RetryNotifications(bg, "b", "admin:x"); err != nil || n != 1 || woken != 1 {
		t.Fatalf("retry b: %d, %v, woken %d", n, err, woken)
	}
	if n, err := e.svc.RetryNotifications(bg, "", "admin:x"); err != nil || n != 3 || woken != 2 {
		t.Fatalf("retry all: %d, %v, woken %d", n, err, woken)
	}
	if due, _ := e.st.DueOutbox(e.clock.Now(), 10); len(due) != 3 {
		t.Fatalf("due after retry: %+v", due)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

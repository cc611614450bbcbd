package boltdb

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

var things = []byte("things")

func openGroupTest(t *testing.T) (string, *bbolt.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := Open(path, testSchema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return path, db
}

// blockGroup makes g's first commit wait until release is called: its
// only call, which holds bbolt's writer lock, is under way when blockGroup
// returns, so calls made next queue for the groups after it. release
// returns the blocked call's error; a test that fails before calling it
// releases at cleanup, so that it ends.
func blockGroup(t *testing.T, g *Group) (release func() error) {
	t.Helper()
	started, open := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- g.Update(func(tx *bbolt.Tx) error {
			close(started)
			<-open
			return tx.Bucket(things).Put([]byte("first"), nil)
		})
	}()
	<-started
	var once sync.Once
	var err error
	release = func() error {
		once.Do(func() { close(open); err = <-done })
		return err
	}
	t.Cleanup(func() { release() })
	return release
}

// waitQueued polls until n calls are queued (at most 10s; a passing run
// takes milliseconds).
func waitQueued(t *testing.T, g *Group, n int) {
	t.Helper()
	for range 10000 {
		if g.Stats().Waiting == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d calls queued, want %d", g.Stats().Waiting, n)
}

// Calls queued during a commit share the next ones, at most size each, and
// every call's write survives closing and reopening the file.
func TestGroupSharesCommitsAndPersists(t *testing.T) {
	for _, tc := range []struct {
		calls, size, commits int
	}{
		{calls: 1, size: 8, commits: 1},
		{calls: 20, size: 128, commits: 1},
		{calls: 20, size: 8, commits: 3},
	} {
		t.Run(fmt.Sprintf("%d calls, groups of %d", tc.calls, tc.size), func(t *testing.T) {
			path, db := openGroupTest(t)
			g := NewGroup(db, tc.size)
			release := blockGroup(t, g)
			txs := make([]int, tc.calls)
			errs := make([]error, tc.calls)
			var wg sync.WaitGroup
			for i := range tc.calls {
				wg.Go(func() {
					errs[i] = g.Update(func(tx *bbolt.Tx) error {
						txs[i] = tx.ID()
						return tx.Bucket(things).Put(fmt.Appendf(nil, "k%02d", i), []byte("v"))
					})
				})
			}
			waitQueued(t, g, tc.calls)
			if err := release(); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			distinct := map[int]bool{}
			for i := range tc.calls {
				if errs[i] != nil {
					t.Fatalf("call %d: %v", i, errs[i])
				}
				distinct[txs[i]] = true
			}
			if len(distinct) != tc.commits {
				t.Errorf("%d calls committed in %d transactions, want %d", tc.calls, len(distinct), tc.commits)
			}
			want := GroupStats{Commits: uint64(1 + tc.commits), Calls: uint64(1 + tc.calls)}
			if s := g.Stats(); s != want {
				t.Errorf("stats %+v, want %+v", s, want)
			}
			db.Close()
			db, err := Open(path, testSchema, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.View(func(tx *bbolt.Tx) error {
				if n := tx.Bucket(things).Stats().KeyN; n != 1+tc.calls {
					t.Errorf("%d keys after reopening, want %d", n, 1+tc.calls)
				}
				return nil
			})
		})
	}
}

// A call that fails or panics in a group gets its own outcome, its writes
// are undone, and the others of its group are committed.
func TestGroupFailureIsOnlyTheCallers(t *testing.T) {
	_, db := openGroupTest(t)
	g := NewGroup(db, 0)
	release := blockGroup(t, g)
	errRefused := errors.New("refused")
	type outcome struct {
		err      error
		panicked any
	}
	kinds := []string{"ok", "fails", "ok", "panics", "ok", "fails", "ok"}
	out := make([]outcome, len(kinds))
	var wg sync.WaitGroup
	for i, kind := range kinds {
		wg.Go(func() {
			defer func() { out[i].panicked = recover() }()
			out[i].err = g.Update(func(tx *bbolt.Tx) error {
				if err := tx.Bucket(things).Put([]byte(fmt.Sprint(i, kind)), nil); err != nil {
					return err
				}
				switch kind {
				case "fails":
					return fmt.Errorf("call %d: %w", i, errRefused)
				case "panics":
					panic("call 3 panics")
				}
				return nil
			})
		})
	}
	waitQueued(t, g, len(kinds))
	if err := release(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, kind := range kinds {
		got := out[i]
		var ok bool
		switch kind {
		case "ok":
			ok = got.err == nil && got.panicked == nil
		case "fails":
			ok = errors.Is(got.err, errRefused) && got.err.Error() == fmt.Sprintf("call %d: refused", i) && got.panicked == nil
		case "panics":
			ok = got.panicked == "call 3 panics"
		}
		if !ok {
			t.Errorf("call %d (%s): error %v, panic %v", i, kind, got.err, got.panicked)
		}
	}
	var keys []string
	db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(things).ForEach(func(k, _ []byte) error { keys = append(keys, string(k)); return nil })
	})
	if fmt.Sprint(keys) != "[0ok 2ok 4ok 6ok first]" {
		t.Errorf("stored %v, want the successful calls' keys only", keys)
	}
	if s := g.Stats(); s != (GroupStats{Commits: 2, Calls: 5, Alone: 3}) {
		t.Errorf("stats %+v", s)
	}
}

// A failure of the transaction itself is every call's.
func TestGroupTransactionFailureIsEveryones(t *testing.T) {
	path, db := openGroupTest(t)
	db.Close()
	ro, err := Open(path, testSchema, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	g := NewGroup(ro, 0)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			errs[i] = g.Update(func(tx *bbolt.Tx) error { return tx.Bucket(things).Put([]byte("k"), nil) })
		})
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, bbolt.ErrDatabaseReadOnly) {
			t.Errorf("call %d: %v, want %v", i, err, bbolt.ErrDatabaseReadOnly)
		}
	}
	if s := g.Stats(); s != (GroupStats{}) {
		t.Errorf("stats %+v, want nothing committed", s)
	}
}

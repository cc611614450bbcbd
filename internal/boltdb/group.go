package boltdb

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"go.etcd.io/bbolt"
)

// DefaultGroupSize bounds how many calls share one commit: a bigger group
// saves fsyncs but makes a bigger transaction and, when one call fails,
// more work to run again.
const DefaultGroupSize = 128

// Group commits concurrent read-write transactions together (group
// commit), so that they share one bbolt commit and its two fdatasyncs
// instead of queueing for one each. A call that finds no commit under way
// commits at once, with nobody or with whoever queued meanwhile; calls
// arriving during a commit wait for it and then go together in the next
// one, at most the group size per commit. So nobody waits longer than the
// commit in progress, and an idle database answers as fast as DB.Update.
// (bbolt's DB.Batch, the model for the rules below, waits for a timer
// instead: MaxBatchDelay, 10ms by default, even for a lone call.)
//
// Update returns only once its call's changes are committed, or it
// failed: what a caller acknowledges after Update returns nil is
// persisted, as with DB.Update.
//
// The rules are DB.Batch's. fn may run more than once: when a call of the
// group fails, the transaction is rolled back and the others run again
// without it. So fn must only change the transaction and must set its
// results afresh on every run (never keep what an earlier run found). A
// call whose fn fails or panics is run again alone, in a transaction of its
// own, and gets that outcome (its error, or its panic): one call's failure
// never fails the others. A failure of the commit itself (disk full, I/O
// error) is every call's of the group.
type Group struct {
	db   *bbolt.DB
	size int

	mu      sync.Mutex
	queue   []*groupCall
	leading bool // a caller is committing a group; the others queue
	stats   GroupStats
}

// GroupStats counts what a Group committed.
type GroupStats struct {
	Commits uint64 // group transactions committed
	Calls   uint64 // calls committed in them; Calls/Commits is the mean group
	Alone   uint64 // calls that failed in a group and ran again alone
	Waiting int    // calls queued for the next commit now
}

type groupCall struct {
	fn   func(*bbolt.Tx) error
	done chan error // the outcome, or errLead; buffered, one at a time
}

// Sentinels a call receives instead of its outcome. fn never returns them:
// they are unexported.
var (
	errLead  = errors.New("commit the next group")
	errAlone = errors.New("run again alone")
)

// NewGroup returns a group committer for db; size <= 0 means
// DefaultGroupSize.
func NewGroup(db *bbolt.DB, size int) *Group {
	if size <= 0 {
		size = DefaultGroupSize
	}
	return &Group{db: db, size: size}
}

// Update runs fn in a read-write transaction it may share with concurrent
// calls, and returns once that transaction is committed (nil) or fn's or
// the commit's error. See Group for the rules fn must follow.
func (g *Group) Update(fn func(*bbolt.Tx) error) error {
	c := &groupCall{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		g.commitNext()
	}
	err := <-c.done
	if err == errLead {
		// The previous leader committed its group and handed over: this
		// call is first in the queue, so it is in the group it commits.
		g.commitNext()
		err = <-c.done
	}
	if err == errAlone {
		return g.db.Update(fn)
	}
	return err
}

// Stats returns the counts so far.
func (g *Group) Stats() GroupStats {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.stats
	s.Waiting = len(g.queue)
	return s
}

// commitNext commits the queue's first calls as one group, then hands over
// to the first call still queued, if any: that caller commits the next
// group, so no goroutine is needed between calls and a leader commits only
// once before returning to its own work.
func (g *Group) commitNext() {
	g.mu.Lock()
	n := min(len(g.queue), g.size)
	calls := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()

	committed, alone := g.commit(calls)

	g.mu.Lock()
	defer g.mu.Unlock()
	if committed > 0 {
		g.stats.Commits++
		g.stats.Calls += uint64(committed)
	}
	g.stats.Alone += uint64(alone)
	if len(g.queue) == 0 {
		g.leading = false
		return
	}
	g.queue[0].done <- errLead
}

// commit runs calls in one transaction, in order. A call that fails is
// sent to run alone and the others run again without it (bbolt has no
// savepoint to undo one call's writes). It returns how many calls were
// committed and how many were sent to run alone.
func (g *Group) commit(calls []*groupCall) (committed, alone int) {
	for len(calls) > 0 {
		failed := -1
		// A panic of bbolt itself is the commit's failure: the callers,
		// served by this goroutine, must hear of it and not wait forever.
		err := safely(func() error {
			return g.db.Update(func(tx *bbolt.Tx) error {
				for i, c := range calls {
					if err := safely(func() error { return c.fn(tx) }); err != nil {
						failed = i
						return err
					}
				}
				return nil
			})
		})
		if failed < 0 {
			for _, c := range calls {
				c.done <- err
			}
			if err != nil {
				return 0, alone
			}
			return len(calls), alone
		}
		calls[failed].done <- errAlone
		calls = slices.Delete(calls, failed, failed+1)
		alone++
	}
	return 0, alone
}

// safely turns a panic into an error, so that the leader, which runs other
// callers' functions, survives it. A call whose fn panicked runs again
// alone, where the panic is the caller's own.
func safely(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return fn()
}

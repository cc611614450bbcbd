package imserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// directory is this server's view of the management server's directory:
// the records cached in the store, kept current by incremental M1 queries
// (every refresh interval and whenever the management server notifies a
// change with receivenotify), and the certificates fetched with M2 when a
// record is first used. It implements httpsig.Resolver; a CachingResolver
// sits in front of it, and every change it stores invalidates that cache.
type directory struct {
	st      *imstore.Store
	mgmtID  string
	mgmt    Mgmt
	log     *slog.Logger
	refresh time.Duration
	cache   *httpsig.CachingResolver // set by the server; invalidated on change
	// changed, set by the server, learns of the records just stored (nil
	// after a full incremental query), which may end the conditions that
	// parked calls (Server.retryParked).
	changed func(serverIDs []string)

	mu sync.Mutex // serialises writes of entries and of the cursor

	notified chan string // serverIds named by receivenotify

	lookups bucket // bounds the M1 queries that unknown origins cause

	synced atomic.Int64 // unix nanoseconds of the last complete incremental query
}

// lastSync is when the last incremental query completed, zero before the
// first.
func (d *directory) lastSync() time.Time {
	if n := d.synced.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// Lookups of servers missing from the cache: the signature of a call can
// only be checked once its origin's certificate is known, so anyone can
// name unknown origins; each costs a query to the management server, which
// this bounds (the CachingResolver in front already remembers each miss).
const (
	lookupBurst = 20
	lookupRate  = 10 // per second
)

// bucket is a token bucket: take succeeds at most burst times at once and
// rate times per second on average.
type bucket struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func (b *bucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.last.IsZero() {
		b.tokens = lookupBurst
	} else {
		b.tokens = min(lookupBurst, b.tokens+now.Sub(b.last).Seconds()*lookupRate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func newDirectory(st *imstore.Store, mgmtID string, refresh time.Duration, log *slog.Logger) *directory {
	return &directory{st: st, mgmtID: mgmtID, refresh: refresh, log: log, notified: make(chan string, 64)}
}

// Resolve implements httpsig.Resolver. An unknown server is looked up at
// the management server once (the cache in front remembers a miss).
func (d *directory) Resolve(ctx context.Context, serverID string) (*httpsig.ServerInfo, error) {
	if serverID == d.mgmtID {
		return d.mgmtRecord(ctx)
	}
	e, err := d.st.GetDirEntry(serverID)
	if errors.Is(err, imstore.ErrNotFound) {
		if !d.lookups.take(time.Now()) {
			return nil, fmt.Errorf("too many lookups of servers missing from the directory; %q will be looked up on a later call", serverID)
		}
		if err := d.syncIDs(ctx, serverID); err != nil {
			return nil, err
		}
		e, err = d.st.GetDirEntry(serverID)
	}
	if errors.Is(err, imstore.ErrNotFound) {
		return nil, fmt.Errorf("%w %q", httpsig.ErrUnknownServer, serverID)
	}
	if err != nil {
		return nil, err
	}
	if e.CertPEM == "" {
		if e, err = d.fetchCert(ctx, e); err != nil {
			return nil, err
		}
	}
	return serverInfo(e)
}

func serverInfo(e imstore.DirEntry) (*httpsig.ServerInfo, error) {
	cert, err := pki.ParseCertificatePEM([]byte(e.CertPEM))
	if err != nil {
		return nil, fmt.Errorf("the cached certificate of %q is unreadable: %w", e.ServerID, err)
	}
	return &httpsig.ServerInfo{ServerID: e.ServerID, Status: e.Status, Certificate: cert, Address: e.Address}, nil
}

// mgmtRecord is the management server's own record: its certificate from
// M2 (unauthenticated, but every signature it verifies is checked against
// the root), cached in the store so that a restart does not depend on it.
func (d *directory) mgmtRecord(ctx context.Context) (*httpsig.ServerInfo, error) {
	e, err := d.st.GetDirEntry(d.mgmtID)
	if err == nil && e.CertPEM != "" {
		return serverInfo(e)
	}
	if e, err = d.fetchCert(ctx, imstore.DirEntry{ServerID: d.mgmtID, ServerName: "management server"}); err != nil {
		return nil, err
	}
	return serverInfo(e)
}

// fetchCert completes e with its certificate (M2) and stores it, keeping
// the cursor where it is. The certificate goes onto the record as stored
// now, not onto e: a notification may have changed the record (its status)
// during the M2 call, and writing e back would undo that change.
func (d *directory) fetchCert(ctx context.Context, e imstore.DirEntry) (imstore.DirEntry, error) {
	cert, err := d.mgmt.ServerCert(ctx, e.ServerID)
	if err != nil {
		return e, fmt.Errorf("fetching the certificate of %q from the management server: %w", e.ServerID, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch cur, err := d.st.GetDirEntry(e.ServerID); {
	case err == nil:
		e = cur
	case !errors.Is(err, imstore.ErrNotFound): // not found: the management server's own record
		return e, err
	}
	e.CertPEM = string(pki.EncodeCertificatePEM(cert.Raw))
	cursor, err := d.st.DirectoryCursor()
	if err == nil {
		err = d.st.PutDirectory([]imstore.DirEntry{e}, cursor)
	}
	return e, err
}

// syncIDs stores the current records of the given servers (a lookup of an
// unknown origin, or a receivenotify) without moving the cursor: a partial
// answer's serverTime says nothing about the other servers.
func (d *directory) syncIDs(ctx context.Context, ids ...string) error {
	resp, err := d.mgmt.Servers(ctx, api.ServersQuery{ServerIDs: ids})
	if err != nil {
		return fmt.Errorf("querying the directory for %v: %w", ids, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	cursor, err := d.st.DirectoryCursor()
	if err != nil {
		return err
	}
	return d.store(resp.Servers, cursor)
}

// syncChanged is the incremental query: every record changed since the
// last answer, then the cursor moves to the answer's serverTime.
func (d *directory) syncChanged(ctx context.Context) (int, error) {
	d.mu.Lock()
	cursor, err := d.st.DirectoryCursor()
	d.mu.Unlock()
	if err != nil {
		return 0, err
	}
	resp, err := d.mgmt.Servers(ctx, api.ServersQuery{LastQueryTime: cursor})
	if err != nil {
		return 0, fmt.Errorf("querying the directory: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.store(resp.Servers, max(resp.ServerTime, cursor)); err != nil {
		return 0, err
	}
	d.synced.Store(time.Now().UnixNano())
	return len(resp.Servers), nil
}

// store replaces the entries of recs, without certificate: a changed
// record may come with a new certificate, fetched again when next used.
// Called with d.mu held.
func (d *directory) store(recs []api.ServerRecord, cursor int64) error {
	entries := make([]imstore.DirEntry, 0, len(recs))
	for _, r := range recs {
		if r.ServerID == d.mgmtID {
			continue // the management server's record comes from M2 only
		}
		entries = append(entries, imstore.DirEntry{ServerID: r.ServerID, ServerName: r.ServerName, Address: r.ServerAddress, Status: r.Status})
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ServerID
	}
	if err := d.cache.Change(ids, func() error { return d.st.PutDirectory(entries, cursor) }); err != nil {
		return fmt.Errorf("storing the directory: %w", err)
	}
	if len(ids) > 0 && d.changed != nil {
		d.changed(ids)
	}
	return nil
}

// refreshMgmt fetches the management server's certificate again (it may
// have been renewed).
func (d *directory) refreshMgmt(ctx context.Context) error {
	_, err := d.fetchCert(ctx, imstore.DirEntry{ServerID: d.mgmtID, ServerName: "management server"})
	d.cache.Invalidate(d.mgmtID)
	return err
}

// notify queues a receivenotify for the loop; a full queue falls back to
// an incremental query, which covers every change anyway.
func (d *directory) notify(serverID string) {
	select {
	case d.notified <- serverID:
	default:
		select {
		case d.notified <- "":
		default:
		}
	}
}

// Refresh runs an incremental query now (the admin API's directory
// refresh) and returns how many records changed.
func (d *directory) Refresh(ctx context.Context) (int, error) {
	if err := d.refreshMgmt(ctx); err != nil {
		return 0, err
	}
	n, err := d.syncChanged(ctx)
	if err == nil && d.changed != nil {
		d.changed(nil) // conditions no notification reveals (a peer's policy)
	}
	return n, err
}

// run keeps the directory current until ctx ends: an incremental query at
// start and every refresh interval, and a query for each server named by a
// notification. A failure brings the next incremental query forward, with
// a doubling delay up to the refresh interval.
func (d *directory) run(ctx context.Context) {
	due := time.Now()
	retry := time.Second
	failed := func(err error) {
		d.log.Warn("directory refresh failed; will retry", "err", err, "retry_in", retry)
		if at := time.Now().Add(retry); at.Before(due) {
			due = at
		}
		retry = min(2*retry, d.refresh)
	}
	for {
		timer := time.NewTimer(time.Until(due))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case id := <-d.notified:
			timer.Stop()
			if id == "" {
				due = time.Now()
			} else if err := d.syncIDs(ctx, id); err != nil && ctx.Err() == nil {
				failed(err)
			}
			continue
		case <-timer.C:
		}
		due = time.Now().Add(d.refresh)
		if _, err := d.Refresh(ctx); err != nil && ctx.Err() == nil {
			failed(err)
			continue
		}
		retry = time.Second
	}
}

package httpsig

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// CacheOptions configures a CachingResolver. Zero values take the defaults.
type CacheOptions struct {
	Capacity     int              // records kept, least recently used dropped first; default 1024
	TTL          time.Duration    // how long a record is trusted; default 10 minutes
	NegativeTTL  time.Duration    // how long "unknown server" is remembered; default 30 seconds
	FetchTimeout time.Duration    // bound on one directory query; default 10 seconds
	Now          func() time.Time // default time.Now
}

// CachingResolver puts a bounded cache with expiry in front of a slower
// Resolver (the management server's directory). Concurrent lookups of the
// same missing server query the directory once. Invalidate drops a record
// when the management server notifies a change (receivenotify).
//
// Records are shared between callers: do not modify them. Directory errors
// other than ErrUnknownServer are not cached.
type CachingResolver struct {
	src   Resolver
	opts  CacheOptions
	group singleflight.Group

	mu      sync.Mutex
	entries map[string]*list.Element // of *cacheEntry
	lru     *list.List               // front: most recently used
	epoch   uint64                   // bumped by Invalidate: fetches started before it are not stored
}

type cacheEntry struct {
	id      string
	info    *ServerInfo
	err     error // ErrUnknownServer, for negative entries
	expires time.Time
}

// NewCachingResolver wraps src.
func NewCachingResolver(src Resolver, opts CacheOptions) *CachingResolver {
	if opts.Capacity <= 0 {
		opts.Capacity = 1024
	}
	if opts.TTL <= 0 {
		opts.TTL = 10 * time.Minute
	}
	if opts.NegativeTTL <= 0 {
		opts.NegativeTTL = 30 * time.Second
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &CachingResolver{src: src, opts: opts, entries: make(map[string]*list.Element), lru: list.New()}
}

// Resolve implements Resolver.
func (c *CachingResolver) Resolve(ctx context.Context, serverID string) (*ServerInfo, error) {
	if e := c.lookup(serverID); e != nil {
		return e.info, e.err
	}
	ch := c.group.DoChan(serverID, func() (any, error) {
		return c.fetch(context.WithoutCancel(ctx), serverID), nil
	})
	select {
	case r := <-ch:
		e := r.Val.(*cacheEntry)
		return e.info, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *CachingResolver) lookup(id string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[id]
	if !ok {
		return nil
	}
	e := el.Value.(*cacheEntry)
	if !c.opts.Now().Before(e.expires) {
		c.lru.Remove(el)
		delete(c.entries, id)
		return nil
	}
	c.lru.MoveToFront(el)
	return e
}

// fetch asks the directory and caches the answer unless an Invalidate
// happened meanwhile (the answer may predate the change it announced).
func (c *CachingResolver) fetch(ctx context.Context, id string) *cacheEntry {
	c.mu.Lock()
	epoch := c.epoch
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, c.opts.FetchTimeout)
	defer cancel()
	info, err := c.src.Resolve(ctx, id)
	e := &cacheEntry{id: id, info: info, err: err}
	switch {
	case err == nil && info == nil:
		e.err = errors.New("the directory returned an empty record")
		return e
	case err == nil:
		e.expires = c.opts.Now().Add(c.opts.TTL)
	case errors.Is(err, ErrUnknownServer):
		e.expires = c.opts.Now().Add(c.opts.NegativeTTL)
	default:
		return e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return e
	}
	if el, ok := c.entries[id]; ok {
		c.lru.Remove(el)
	}
	c.entries[id] = c.lru.PushFront(e)
	for c.lru.Len() > c.opts.Capacity {
		old := c.lru.Remove(c.lru.Back()).(*cacheEntry)
		delete(c.entries, old.id)
	}
	return e
}

// Change runs write, which changes the records of ids where the source
// reads them, and forgets them. Lookups wait meanwhile, so that once the
// source shows a change (a server suspended, a new certificate) no call is
// verified with the record from before it: Invalidate after the write
// would leave a moment when the source says one thing and the cache
// another. write must not use the cache.
func (c *CachingResolver) Change(ids []string, write func() error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := write()
	for _, id := range ids {
		c.forget(id)
	}
	return err
}

// Invalidate forgets serverID, so that the next call fetches it again.
func (c *CachingResolver) Invalidate(serverID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forget(serverID)
}

// forget drops serverID's record and any fetch of it under way from being
// stored or joined. Called with c.mu held.
func (c *CachingResolver) forget(serverID string) {
	c.epoch++
	if el, ok := c.entries[serverID]; ok {
		c.lru.Remove(el)
		delete(c.entries, serverID)
	}
	c.group.Forget(serverID)
}

// Len is the number of records held, expired ones included until looked up.
func (c *CachingResolver) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

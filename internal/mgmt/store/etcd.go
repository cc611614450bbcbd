package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Layout under the store's prefix P in etcd:
//
//	P b/<bucket>/<key>  a bucket's keys, in the same byte order as in bbolt
//	P s/<bucket>        a bucket's sequence (decimal)
//	P d/<bucket>        touched by every transaction that deletes from the
//	                    bucket, so that a scan can detect deletions
//
// A transaction reads at one etcd revision R (its snapshot: the revision
// of its first read) and buffers its writes. Its commit is one etcd Txn:
// If every key it read by Get still has the mod revision it saw (0 for a
// key that was absent), every range it scanned has no key modified after
// R, and the deletion marker of every bucket it scanned is unchanged; Then
// its puts and deletes. When the compare fails, another transaction
// changed what this one read: it runs again on a new snapshot. So every
// compare-and-swap of the store (approve only a pending application, one
// pending application per serverId, unique serials, a greater CRL number,
// the change clock) is one atomic etcd transaction, and the transactions
// are serialisable, as in bbolt.
const (
	etcdBucketsSpace = "b/"
	etcdSeqSpace     = "s/"
	etcdDeleteSpace  = "d/"
)

// Bounds of the etcd backend.
const (
	// etcdAttempts bounds how often update runs again after a conflict.
	etcdAttempts = 100
	// etcdPage is how many keys a cursor fetches at once.
	etcdPage = 256
	// etcdTxnOps is how many reads one prefetching Txn carries: etcd's
	// default limit of operations per transaction (--max-txn-ops).
	etcdTxnOps = 128
)

// ErrEtcdContention: an update conflicted with concurrent ones etcdAttempts
// times in a row.
var ErrEtcdContention = errors.New("too many concurrent changes")

type etcdBackend struct {
	// writers serialises this process's updates: they would all conflict
	// on the same few keys (the audit sequence, the change clock) and run
	// again; optimistic retries are left to updates of other replicas.
	writers sync.Mutex
	cli     *clientv3.Client
	prefix  string
	timeout time.Duration
	where   string
	owned   bool // the store dialed cli and closes it
}

func (be *etcdBackend) close() error {
	if be.owned {
		return be.cli.Close()
	}
	return nil
}

func (be *etcdBackend) describe() string { return be.where }

func (be *etcdBackend) view(fn func(kvTxn) error) error {
	t := be.begin(false)
	defer t.cancel()
	err := fn(t)
	if t.err != nil {
		return t.err
	}
	return err
}

func (be *etcdBackend) update(fn func(kvTxn) error) error {
	be.writers.Lock()
	defer be.writers.Unlock()
	for attempt := 1; attempt <= etcdAttempts; attempt++ {
		t := be.begin(true)
		err := fn(t)
		if t.err == nil && err == nil {
			var ok bool
			ok, err = t.commit()
			if ok {
				t.cancel()
				return nil
			}
		}
		t.cancel()
		if t.err != nil {
			err = t.err
		}
		switch {
		case err == nil, errors.Is(err, rpctypes.ErrCompacted):
			// A conflict, or the snapshot was compacted away: run again.
			time.Sleep(time.Duration(rand.Int64N(int64(min(attempt, 20)) * int64(time.Millisecond))))
		default:
			return err
		}
	}
	return fmt.Errorf("%w in %s: a change conflicted with others %d times in a row; try again", ErrEtcdContention, be.where, etcdAttempts)
}

func (be *etcdBackend) begin(writable bool) *etcdTxn {
	ctx, cancel := context.WithTimeout(context.Background(), be.timeout)
	return &etcdTxn{be: be, ctx: ctx, cancel: cancel, writable: writable,
		reads: map[string]int64{}, values: map[string][]byte{}, writes: map[string]etcdWrite{},
		sorted: map[string][]string{}, deletesIn: map[string]bool{}}
}

// etcdTxn is one transaction: reads at revision rev, buffered writes.
type etcdTxn struct {
	be       *etcdBackend
	ctx      context.Context
	cancel   context.CancelFunc
	writable bool
	rev      int64 // the snapshot; 0 until the first read
	err      error // the first failure of etcd; fails the transaction

	reads     map[string]int64  // key read by Get -> its mod revision (0: absent)
	values    map[string][]byte // what those reads returned (nil: absent)
	ranges    []etcdRange       // scanned key ranges (writable transactions)
	writes    map[string]etcdWrite
	sorted    map[string][]string // bucket -> its keys in writes, in order; absent when stale
	deletesIn map[string]bool     // buckets this transaction deletes from
}

type etcdWrite struct {
	value   []byte
	deleted bool
}

type etcdRange struct{ from, end string }

func (t *etcdTxn) fail(err error) {
	if t.err == nil {
		t.err = fmt.Errorf("etcd %s: %w; check that the etcd cluster is up and reachable (--etcd-endpoints)", t.be.where, err)
		if errors.Is(err, rpctypes.ErrCompacted) {
			t.err = err
		}
	}
}

// at reads at the snapshot once it is set.
func (t *etcdTxn) at(opts ...clientv3.OpOption) []clientv3.OpOption {
	if t.rev > 0 {
		opts = append(opts, clientv3.WithRev(t.rev))
	}
	return opts
}

func (t *etcdTxn) pin(h int64) {
	if t.rev == 0 {
		t.rev = h
	}
}

func (t *etcdTxn) get(key string) []byte {
	if w, ok := t.writes[key]; ok {
		if w.deleted {
			return nil
		}
		return w.value
	}
	if v, ok := t.values[key]; ok {
		return v
	}
	if t.err != nil {
		return nil
	}
	resp, err := t.be.cli.Get(t.ctx, key, t.at()...)
	if err != nil {
		t.fail(err)
		return nil
	}
	t.pin(resp.Header.Revision)
	var v []byte
	var mod int64
	if len(resp.Kvs) == 1 {
		v, mod = nonNil(resp.Kvs[0].Value), resp.Kvs[0].ModRevision
	}
	t.values[key], t.reads[key] = v, mod
	return v
}

// getMany reads keys as get does, in one etcd Txn per etcdTxnOps keys
// instead of one round trip each.
func (t *etcdTxn) getMany(keys []string) {
	var missing []string
	for _, k := range keys {
		_, written := t.writes[k]
		_, read := t.values[k]
		if !written && !read {
			missing = append(missing, k)
		}
	}
	for len(missing) > 0 && t.err == nil {
		chunk := missing[:min(len(missing), etcdTxnOps)]
		missing = missing[len(chunk):]
		ops := make([]clientv3.Op, len(chunk))
		for i, k := range chunk {
			ops[i] = clientv3.OpGet(k, t.at()...)
		}
		// Every read of one Txn is at the same revision, the snapshot's
		// when it is pinned already.
		resp, err := t.be.cli.Txn(t.ctx).Then(ops...).Commit()
		if err != nil {
			t.fail(err)
			return
		}
		t.pin(resp.Header.Revision)
		for i, r := range resp.Responses {
			var v []byte
			var mod int64
			if rr := r.GetResponseRange(); rr != nil && len(rr.Kvs) == 1 {
				v, mod = nonNil(rr.Kvs[0].Value), rr.Kvs[0].ModRevision
			}
			t.values[chunk[i]], t.reads[chunk[i]] = v, mod
		}
	}
}

// scan fetches up to limit keys of [from, end) at the snapshot. A writable
// transaction records the range and the bucket's deletion marker, so that
// its commit fails if a key appears, changes or disappears there.
func (t *etcdTxn) scan(bucket, from, end string) (kvs []*mvccpb.KeyValue, more bool) {
	if t.err != nil {
		return nil, false
	}
	resp, err := t.be.cli.Get(t.ctx, from, t.at(clientv3.WithRange(end), clientv3.WithLimit(etcdPage))...)
	if err != nil {
		t.fail(err)
		return nil, false
	}
	t.pin(resp.Header.Revision)
	if t.writable {
		t.get(t.be.prefix + etcdDeleteSpace + bucket)
		covered := end
		if resp.More {
			covered = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
		}
		t.ranges = append(t.ranges, etcdRange{from, covered})
	}
	return resp.Kvs, resp.More
}

func (t *etcdTxn) put(key string, value []byte, bucket string, deleted bool) error {
	if !t.writable {
		return errors.New("a read-only transaction cannot write")
	}
	if _, ok := t.writes[key]; !ok {
		delete(t.sorted, bucket)
	}
	t.writes[key] = etcdWrite{value: append([]byte{}, value...), deleted: deleted}
	if deleted {
		t.deletesIn[bucket] = true
	}
	return nil
}

// firstWrite is the smallest key of bucket b in [from, end) this
// transaction put (not deleted), and its value. The bucket's written keys
// are sorted once per batch of new ones: a cursor walking one bucket
// while the loop writes another (notifications queued for every active
// server) sorts nothing again.
func (t *etcdTxn) firstWrite(b etcdBucket, from, end string) (string, []byte, bool) {
	keys, ok := t.sorted[b.name]
	if !ok {
		for k := range t.writes {
			if strings.HasPrefix(k, b.keys) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		t.sorted[b.name] = keys
	}
	for i := sort.SearchStrings(keys, from); i < len(keys) && keys[i] < end; i++ {
		if w := t.writes[keys[i]]; !w.deleted {
			return keys[i], w.value, true
		}
	}
	return "", nil, false
}

// commit writes the buffered changes if nothing read has changed since
// the snapshot; false means it had, and nothing was written.
func (t *etcdTxn) commit() (bool, error) {
	if len(t.writes) == 0 {
		return true, nil
	}
	var cmps []clientv3.Cmp
	for k, mod := range t.reads {
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(k), "=", mod))
	}
	for _, r := range t.ranges {
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(r.from), "<", t.rev+1).WithRange(r.end))
	}
	var ops []clientv3.Op
	for k, w := range t.writes {
		if w.deleted {
			ops = append(ops, clientv3.OpDelete(k))
		} else {
			ops = append(ops, clientv3.OpPut(k, string(w.value)))
		}
	}
	for b := range t.deletesIn {
		ops = append(ops, clientv3.OpPut(t.be.prefix+etcdDeleteSpace+b, strconv.FormatInt(t.rev, 10)))
	}
	resp, err := t.be.cli.Txn(t.ctx).If(cmps...).Then(ops...).Commit()
	if errors.Is(err, rpctypes.ErrTooManyOps) {
		return false, fmt.Errorf("etcd %s refused one change of %d writes and %d checks as too large: start etcd with a greater --max-txn-ops (changes and their notifications fit etcd's default; importing servers, or retrying a server's pending notifications, takes about 3 per server or notification, plus 16): %w", t.be.where, len(ops), len(cmps), err)
	}
	if err != nil {
		return false, fmt.Errorf("etcd %s: %w; check that the etcd cluster is up and reachable (--etcd-endpoints); the change may or may not have been made", t.be.where, err)
	}
	return resp.Succeeded, nil
}

func (t *etcdTxn) bucket(name []byte) bucket {
	n := string(name)
	return etcdBucket{t: t, name: n, keys: t.be.prefix + etcdBucketsSpace + n + "/"}
}

// etcdBucket is a bucket of an etcdTxn: its keys are keys+key.
type etcdBucket struct {
	t    *etcdTxn
	name string
	keys string
}

func (b etcdBucket) Get(key []byte) []byte { return b.t.get(b.keys + string(key)) }

// Prefetch reads keys in as few round trips as etcd allows; Get then
// answers them from the transaction.
func (b etcdBucket) Prefetch(keys []string) {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = b.keys + k
	}
	b.t.getMany(full)
}

func (b etcdBucket) Put(key, value []byte) error {
	if len(key) == 0 {
		return errors.New("empty key")
	}
	return b.t.put(b.keys+string(key), nonNil(value), b.name, false)
}

func (b etcdBucket) Delete(key []byte) error { return b.t.put(b.keys+string(key), nil, b.name, true) }

func (b etcdBucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (b etcdBucket) seqKey() string { return b.t.be.prefix + etcdSeqSpace + b.name }

func (b etcdBucket) Sequence() uint64 {
	n, _ := strconv.ParseUint(string(b.t.get(b.seqKey())), 10, 64)
	return n
}

func (b etcdBucket) SetSequence(n uint64) error {
	return b.t.put(b.seqKey(), []byte(strconv.FormatUint(n, 10)), "", false)
}

func (b etcdBucket) NextSequence() (uint64, error) {
	n := b.Sequence() + 1
	return n, b.SetSequence(n)
}

func (b etcdBucket) Cursor() cursor {
	return &etcdCursor{b: b, hi: clientv3.GetPrefixRangeEnd(b.keys)}
}

// etcdCursor walks the bucket's keys at the snapshot merged with the
// transaction's own writes, a page of etcd keys at a time.
type etcdCursor struct {
	b        etcdBucket
	hi       string             // end of the bucket's keys
	page     []*mvccpb.KeyValue // etcd keys of [from, to)
	from, to string             // what page covers
	pos      string             // the current key; "" before the start or past the end
}

func (c *etcdCursor) First() ([]byte, []byte) { return c.seek(c.b.keys) }

func (c *etcdCursor) Seek(key []byte) ([]byte, []byte) { return c.seek(c.b.keys + string(key)) }

func (c *etcdCursor) Next() ([]byte, []byte) {
	if c.pos == "" {
		return nil, nil
	}
	return c.seek(c.pos + "\x00")
}

// seek moves to the smallest key >= from.
func (c *etcdCursor) seek(from string) ([]byte, []byte) {
	t := c.b.t
	for from < c.hi && t.err == nil {
		if from < c.from || from >= c.to {
			kvs, more := t.scan(c.b.name, from, c.hi)
			c.page, c.from, c.to = kvs, from, c.hi
			if more {
				c.to = string(kvs[len(kvs)-1].Key) + "\x00"
			}
		}
		if k, v, ok := c.firstIn(from); ok {
			c.pos = k
			return []byte(strings.TrimPrefix(k, c.b.keys)), v
		}
		from = c.to
	}
	c.pos = ""
	return nil, nil
}

// firstIn is the smallest visible key in [from, c.to): from the page
// unless the transaction wrote it, or from the transaction's writes.
func (c *etcdCursor) firstIn(from string) (string, []byte, bool) {
	t := c.b.t
	key, value, found := t.firstWrite(c.b, from, c.to)
	i := sort.Search(len(c.page), func(i int) bool { return string(c.page[i].Key) >= from })
	for ; i < len(c.page); i++ {
		k := string(c.page[i].Key)
		if found && k >= key {
			break
		}
		if _, written := t.writes[k]; !written {
			return k, nonNil(c.page[i].Value), true
		}
	}
	return key, value, found
}

// nonNil keeps "present with an empty value" apart from "absent" (nil).
func nonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}

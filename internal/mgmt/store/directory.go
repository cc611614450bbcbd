package store

import (
	"fmt"
	"slices"
	"strings"

	"github.com/imictl/imictl/internal/boltdb"
)

// ChangedSince answers the directory query (interface M1): the servers
// changed after lastQueryTime (ms; 0 = all), cancelled ones included,
// restricted to ids when it is not empty, ordered by serverId; and the
// serverTime to send as the next lastQueryTime.
//
// serverTime is the store's change clock read in the same transaction as
// the records. Every later change gets a strictly greater ChangedAt (see
// txn.tick), so a client that always sends back the serverTime it received
// never misses a change, whatever the wall clock does. Unknown ids are
// left out, as the standard gives no error for them.
func (s *Store) ChangedSince(lastQueryTime int64, ids []string) ([]Server, int64, error) {
	var out []Server
	var serverTime int64
	err := s.view(func(t *txn) error {
		serverTime = t.clock()
		var err error
		switch {
		case len(ids) > 0:
			out, err = t.serversChangedIn(lastQueryTime, ids)
		case lastQueryTime <= 0:
			out, err = t.allServers()
		default:
			out, err = t.serversChangedAfter(lastQueryTime)
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, serverTime, nil
}

func (t *txn) serversChangedIn(after int64, ids []string) ([]Server, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	servers := t.b(bucketServers)
	prefetch(servers, ids)
	var out []Server
	for _, id := range ids {
		srv, ok, err := boltdb.Get[Server](servers, []byte(id))
		if err != nil {
			return nil, fmt.Errorf("server %s: %w", id, err)
		}
		if ok && srv.ChangedAt > after {
			out = append(out, srv)
		}
	}
	return out, nil
}

func (t *txn) serversChangedAfter(after int64) ([]Server, error) {
	var ids []string
	c := t.b(bucketServerChanges).Cursor()
	for k, id := c.Seek(boltdb.U64(uint64(after) + 1)); k != nil; k, id = c.Next() {
		ids = append(ids, string(id))
	}
	prefetch(t.b(bucketServers), ids)
	var out []Server
	for _, id := range ids {
		srv, err := t.server(id)
		if err != nil {
			return nil, fmt.Errorf("change index names %s: %w", id, err)
		}
		out = append(out, srv)
	}
	slices.SortFunc(out, func(a, b Server) int { return strings.Compare(a.ServerID, b.ServerID) })
	return out, nil
}

// ChangeClock is the serverTime a directory query would return now: it
// changes exactly when some server record changes, so a cached directory
// response stays valid while it is unchanged (a cheap validator, e.g. for
// caching the encoded full directory).
func (s *Store) ChangeClock() (int64, error) {
	var c int64
	err := s.view(func(t *txn) error {
		c = t.clock()
		return nil
	})
	return c, err
}

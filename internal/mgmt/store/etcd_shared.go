package store

import (
	"context"
	"fmt"
	"io/fs"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// etcdFileSpace holds files every replica reads, P f/<name>: the CA's
// certificates and its encrypted keys (internal/mgmt/ca.Files).
const etcdFileSpace = "f/"

// SharedFiles is where the replicas of an etcd store share files (the
// CA's); nil for a bbolt store, whose CA lives in the data directory.
func (s *Store) SharedFiles() *EtcdFiles {
	be, ok := s.be.(*etcdBackend)
	if !ok {
		return nil
	}
	return &EtcdFiles{be: be}
}

// Etcd is the client and key prefix of an etcd store, for what replicas
// coordinate beside the registry (the notifier's election); nil for bbolt.
func (s *Store) Etcd() (*clientv3.Client, string) {
	be, ok := s.be.(*etcdBackend)
	if !ok {
		return nil, ""
	}
	return be.cli, be.prefix
}

// EtcdFiles are files in etcd next to the registry.
type EtcdFiles struct{ be *etcdBackend }

func (f *EtcdFiles) String() string { return "etcd " + f.be.where }

func (f *EtcdFiles) key(name string) string { return f.be.prefix + etcdFileSpace + name }

// ReadFile returns a file; an error matching fs.ErrNotExist when absent.
func (f *EtcdFiles) ReadFile(name string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), f.be.timeout)
	defer cancel()
	resp, err := f.be.cli.Get(ctx, f.key(name))
	if err != nil {
		return nil, fmt.Errorf("etcd %s: %w", f.be.where, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, &fs.PathError{Op: "read", Path: f.String() + " " + name, Err: fs.ErrNotExist}
	}
	return resp.Kvs[0].Value, nil
}

// CreateFiles writes all the files or, if any of them exists, none
// (fs.ErrExist): two replicas creating the CA at once make one CA.
func (f *EtcdFiles) CreateFiles(files map[string][]byte) error {
	var cmps []clientv3.Cmp
	var ops []clientv3.Op
	for name, data := range files {
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(f.key(name)), "=", 0))
		ops = append(ops, clientv3.OpPut(f.key(name), string(data)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.be.timeout)
	defer cancel()
	resp, err := f.be.cli.Txn(ctx).If(cmps...).Then(ops...).Commit()
	if err != nil {
		return fmt.Errorf("etcd %s: %w", f.be.where, err)
	}
	if !resp.Succeeded {
		return &fs.PathError{Op: "create", Path: f.String(), Err: fs.ErrExist}
	}
	return nil
}

// RemoveFiles deletes files; absent ones are no error.
func (f *EtcdFiles) RemoveFiles(names ...string) error {
	var ops []clientv3.Op
	for _, name := range names {
		ops = append(ops, clientv3.OpDelete(f.key(name)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.be.timeout)
	defer cancel()
	if _, err := f.be.cli.Txn(ctx).Then(ops...).Commit(); err != nil {
		return fmt.Errorf("etcd %s: %w", f.be.where, err)
	}
	return nil
}

// Topic is what Watch watches.
type Topic string

// Topics another replica can change under this one.
const (
	TopicOutbox  Topic = "outbox_due"     // notifications queued or rescheduled
	TopicChanges Topic = "outbox_changes" // changes queued, to expand into notifications
	TopicCRL     Topic = "crl"            // a CRL published
)

// Watch signals on the returned channel whenever another process may have
// changed the topic; several changes in a row may give one signal. It is
// closed when ctx ends. For a bbolt store it is nil (it blocks forever in
// a select): nobody else writes a bbolt file while it is open.
func (s *Store) Watch(ctx context.Context, topic Topic) <-chan struct{} {
	be, ok := s.be.(*etcdBackend)
	if !ok {
		return nil
	}
	out := make(chan struct{}, 1)
	key := be.prefix + etcdBucketsSpace + string(topic) + "/"
	go func() {
		defer close(out)
		for ctx.Err() == nil {
			for resp := range be.cli.Watch(clientv3.WithRequireLeader(ctx), key, clientv3.WithPrefix()) {
				if resp.Err() != nil {
					break
				}
				select {
				case out <- struct{}{}:
				default:
				}
			}
			// The watch ended (etcd lost its leader, a compaction): start
			// again after a pause, and signal, since a change may have
			// been missed meanwhile.
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out
}

package server

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/imictl/imictl/internal/mgmt/store"
)

// Replicas of a management server on etcd (Config.Etcd) answer every API
// call from the shared registry. Two things are coordinated beyond it:
//
//   - Notifications: exactly one replica, the one elected under
//     <prefix>notifier/ (concurrency.Election on a lease of ReplicaLease),
//     runs the notifier. The outbox is in etcd, so when the leader stops or
//     dies (its lease expires), the next leader continues with it: an entry
//     the old leader sent but had not yet marked delivered is sent again,
//     never lost (M3 only says "re-query this server", so a repeat is
//     harmless). The leader watches the outbox and the queued changes
//     (which it alone expands), so a change made on any replica is sent
//     at once.
//   - The CRL: each replica checks signatures against the CRL in memory;
//     it follows the one in etcd, so a revocation published by one replica
//     is enforced by all.

// defaultReplicaLease is how long a dead leader's lease outlives it.
const defaultReplicaLease = 5 * time.Second

// runNotifier runs the notifier: always with a bbolt store, only while
// leading the replicas with etcd.
func (s *Server) runNotifier(ctx context.Context) {
	cli, prefix := s.st.Etcd()
	if cli == nil {
		s.leading.Store(true)
		s.notifier.Run(ctx)
		s.leading.Store(false)
		return
	}
	ttl := int(max(s.cfg.ReplicaLease, time.Second) / time.Second)
	for ctx.Err() == nil {
		if err := s.leadOnce(ctx, cli, prefix, ttl); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("notifier election failed; trying again", "err", err)
			sleep(ctx, time.Second)
		}
	}
}

// leadOnce campaigns until elected, runs the notifier until the lease is
// lost or ctx ends, and resigns.
func (s *Server) leadOnce(ctx context.Context, cli *clientv3.Client, prefix string, ttl int) error {
	session, err := concurrency.NewSession(cli, concurrency.WithTTL(ttl), concurrency.WithContext(ctx))
	if err != nil {
		return err
	}
	defer session.Close()
	election := concurrency.NewElection(session, prefix+"notifier/")
	if err := election.Campaign(ctx, s.URL()); err != nil {
		return err
	}
	leading, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		select {
		case <-session.Done(): // the lease expired: another replica may lead now
			stop()
		case <-leading.Done():
		}
	}()
	for _, topic := range []store.Topic{store.TopicOutbox, store.TopicChanges} {
		go func() {
			for range s.st.Watch(leading, topic) {
				s.notifier.Wake()
			}
		}()
	}
	s.cfg.Logger.Info("this replica sends the change notifications", "url", s.URL())
	s.leading.Store(true)
	s.notifier.Run(leading)
	s.leading.Store(false)
	if ctx.Err() == nil {
		return errors.New("lost the notifier lease")
	}
	// Shutting down: resign, so that the next replica is elected now
	// rather than when the lease expires.
	resign, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	return election.Resign(resign)
}

// SendsNotifications reports whether this server runs the notifier now:
// always with bbolt once serving, with etcd while elected.
func (s *Server) SendsNotifications() bool { return s.leading.Load() }

// followCRL keeps the verifier on the newest CRL in the store, whichever
// replica published it. With bbolt this process publishes them all.
func (s *Server) followCRL(ctx context.Context) {
	changed := s.st.Watch(ctx, store.TopicCRL)
	if changed == nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
		cur, err := s.st.CurrentCRL()
		if err == nil {
			err = s.crl.set(cur)
		}
		if err != nil {
			s.cfg.Logger.Error("following the CRL another replica published failed", "err", err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

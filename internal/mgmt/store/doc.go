// Package store is the management server's persistent state: registered
// servers, applications, issued certificates, revocations, the current CRL,
// the change-notification outbox and the audit log. It does no HTTP and no
// cryptography: callers (the CA, the registration workflow, the admin
// commands) parse and sign, and hand the store DER bytes with the metadata
// they parsed.
//
// # Backends
//
// The operations are written once against ordered buckets in one
// transaction (kv.go). Open keeps them in one bbolt file in the data
// directory, the default; OpenEtcd keeps them under a key prefix of an etcd
// cluster (etcd.go), where several management server replicas share them.
// Everything below holds for both: on etcd a transaction commits as one
// etcd Txn that compares the revisions of all it read, and runs again when
// a concurrent one (on this replica or another) changed them.
//
// # Opening
//
// For bbolt, Open waits at most Options.Timeout (1s) for bbolt's file lock and then
// returns a *LockedError (errors.Is ErrLocked) telling the user that a
// running server holds the file and to go through its admin API. The lock
// is flock(2), per open file description, so a second Open of the same
// file in one process is refused just like one from another process.
// Read-only opens share the lock with each other but not with a writer.
//
// # Layout
//
// Buckets are declared in buckets.go only. The meta bucket holds the schema
// version; migrations.go lists ordered migrations, all run at Open in one
// transaction; a file with a newer schema is refused (ErrSchemaTooNew).
// Every value is JSON in an envelope {"v": version, "d": record}; a record
// with an unknown version is refused rather than misread. Ordered keys
// (sequences, times) are big-endian uint64. Secondary indexes (changes by
// time, active servers, pending applications by serverId, certificates by
// server, revocations, due outbox entries) are written in the transaction
// that writes the record.
//
// # Operations
//
// Every mutating method runs in one read-write transaction and writes its
// audit entries (who, when, what) in that same transaction: the audit log
// holds exactly the changes that were committed. State transitions are
// compare-and-swap inside that transaction: Approve and Reject succeed only
// on a pending application (else *AlreadyDecidedError), SetStatus only from
// the expected status (else *StatusConflictError), PutCRL only with a
// greater CRL number. A refused operation writes nothing.
//
// Approval of an application that needs a certificate takes the certificate
// the caller issued beforehand; if approval is refused, the caller discards
// it. A serverId has at most one pending application (of any kind), and a
// cancelled serverId is tombstoned and can never be registered again.
//
// Application ids are "req-<n>" with n a per-store sequence: short enough
// to type in "imictl admin approve req-12". They are guessable, so the
// management API must authorise who may read an application.
//
// # Directory and change clock
//
// Each change to a server record takes a value of the store's change clock:
// the wall time in milliseconds, or one more than the previous value when
// the wall clock has not moved past it (two changes in one millisecond, a
// clock stepped backwards). It never repeats or decreases. ChangedSince
// returns the servers whose ChangedAt is greater than lastQueryTime and, as
// serverTime, the clock's value read in the same transaction; every change
// committed afterwards has a greater value, so a client that sends back the
// serverTime it got never misses a change. serverTime is therefore "the
// time of the last change", not "now".
//
// # Notifications
//
// A change to a server (created, modified, suspended, resumed, cancelled)
// queues, in the same transaction, one OutboxChange; the notifier expands
// it (ExpandChanges, in bounded batches that resume after a crash) into
// one outbox entry per other server with status 0: "Subject changed" for
// Destination (fanout.go). It then takes due entries (DueOutbox), delivers them, and records the outcome (MarkDelivered,
// MarkFailed with its own backoff). Delivery bookkeeping is not audited;
// an administrator's retry is.
package store

package store

import "github.com/imictl/imictl/internal/boltdb"

// Every bucket the store uses, declared here and nowhere else. Keys that
// order (sequences, times) are big-endian uint64 so that bbolt's byte order
// is numeric order. Index buckets are written in the same transaction as the
// record they index.
var (
	// bucketMeta holds the schema version and the change clock.
	bucketMeta = boltdb.MetaBucket

	// bucketServers: serverId -> Server.
	bucketServers = []byte("servers")
	// bucketServerChanges: u64 changedAt -> serverId; one entry per server,
	// at its latest change. The directory's incremental query seeks here.
	bucketServerChanges = []byte("server_changes")
	// bucketServersActive: serverId -> empty, for servers with status 0;
	// the destinations of change notifications.
	bucketServersActive = []byte("servers_active")
	// bucketTombstones: serverId -> Tombstone; a cancelled serverId, forever.
	bucketTombstones = []byte("tombstones")

	// bucketApplications: u64 sequence -> Application.
	bucketApplications = []byte("applications")
	// bucketApplicationsPending: serverId -> u64 sequence of its one pending
	// application.
	bucketApplicationsPending = []byte("applications_pending")

	// bucketCertificates: serial (lowercase hex) -> Certificate.
	bucketCertificates = []byte("certificates")
	// bucketCertificatesByServer: serverId 0x00 serial -> empty.
	bucketCertificatesByServer = []byte("certificates_by_server")
	// bucketRevocations: serial -> Revocation; what the CRL lists, without
	// decoding certificates.
	bucketRevocations = []byte("revocations")
	// bucketCRL: keyCurrentCRL -> CRL.
	bucketCRL = []byte("crl")

	// bucketOutbox: u64 id -> OutboxEntry.
	bucketOutbox = []byte("outbox")
	// bucketOutboxDue: u64 nextAttemptAt (ms) ++ u64 id -> destination; one
	// entry per pending outbox entry.
	bucketOutboxDue = []byte("outbox_due")

	// bucketOutboxChanges: u64 id -> OutboxChange; changes whose entries
	// are not all queued yet (fanout.go). Added by schema 2.
	bucketOutboxChanges = []byte("outbox_changes")

	// bucketAudit: u64 sequence -> AuditEntry; append-only.
	bucketAudit = []byte("audit")

	// bucketNonces: origin 0x00 nonce -> u64 expiry (unix seconds); the
	// nonces of the remote admin API's calls inside their window, shared
	// by the replicas (nonces.go). Added by schema 3.
	bucketNonces = []byte("nonces")
)

// allBuckets is what the migrations create and what Open checks.
var allBuckets = [][]byte{
	bucketMeta,
	bucketServers, bucketServerChanges, bucketServersActive, bucketTombstones,
	bucketApplications, bucketApplicationsPending,
	bucketCertificates, bucketCertificatesByServer, bucketRevocations, bucketCRL,
	bucketOutbox, bucketOutboxDue, bucketOutboxChanges,
	bucketAudit, bucketNonces,
}

// Keys in bucketMeta and bucketCRL.
var (
	keyClock      = []byte("clock")
	keyCurrentCRL = []byte("current")
)

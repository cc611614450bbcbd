package store

import (
	"go.etcd.io/bbolt"

	"github.com/imictl/imictl/internal/boltdb"
)

// schema declares the management database: its buckets (buckets.go) and
// its ordered migrations, which run at Open in one transaction. Append
// migrations only; never edit a released one.
var schema = &boltdb.Schema{
	Name:        "database",
	Holder:      "a running imictl server",
	LockedHint:  "stop it, or use the running server's admin API (the admin commands do this automatically when the server is running)",
	MigrateHint: "open it read-write once (start the server, or run an admin command without it running) to migrate",
	Buckets:     allBuckets,
}

func init() {
	schema.Migrations = []boltdb.Migration{
		{Version: 1, Name: "create buckets", Apply: schema.CreateBuckets},
		// Entries already queued per destination stay as they are; new
		// changes queue one OutboxChange and expand it (fanout.go).
		{Version: 2, Name: "queue changes, expand them into notifications", Apply: createOutboxChanges},
		{Version: 3, Name: "share the remote admin API's nonces between replicas", Apply: createNonces},
	}
}

// createOutboxChanges is schema 2: version 1 created the buckets of its
// day, and a database created since has this one already.
func createOutboxChanges(tx *bbolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketOutboxChanges)
	return err
}

// createNonces is schema 3, as createOutboxChanges is schema 2.
func createNonces(tx *bbolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketNonces)
	return err
}

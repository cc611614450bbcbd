package store

import "github.com/imictl/imictl/internal/boltdb"

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
	}
}

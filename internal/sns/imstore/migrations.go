package imstore

import "github.com/imictl/imictl/internal/boltdb"

// schema declares the IM database: its buckets (buckets.go) and its ordered
// migrations, which run at Open in one transaction. Append migrations only;
// never edit a released one.
var schema = &boltdb.Schema{
	Name:        "IM database",
	Holder:      "a running IM server",
	LockedHint:  "use its admin API (`imictl im ...` does this automatically when the server is running), or stop the server first",
	MigrateHint: "open it read-write once (start the IM server) to migrate",
	Buckets:     allBuckets,
}

func init() {
	schema.Migrations = []boltdb.Migration{
		{Version: 1, Name: "create buckets", Apply: schema.CreateBuckets},
		{Version: 2, Name: "create group buckets", Apply: schema.CreateBuckets},
	}
}

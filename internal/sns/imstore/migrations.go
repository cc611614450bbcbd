package imstore

import (
	"fmt"

	"go.etcd.io/bbolt"
)

// migration brings the schema from version-1 to version.
type migration struct {
	version uint64
	name    string
	apply   func(tx *bbolt.Tx) error
}

// migrations run in order at Open, all in one transaction: a failure leaves
// the file as it was. Append only; never edit a released migration.
var migrations = []migration{
	{1, "create buckets", func(tx *bbolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	}},
}

// schemaVersion is the version this binary writes.
func schemaVersion() uint64 { return migrations[len(migrations)-1].version }

// prepare checks the schema version and runs pending migrations.
func (s *Store) prepare(readOnly bool) error {
	var have uint64
	if err := s.db.View(func(tx *bbolt.Tx) error { have = fileSchema(tx); return nil }); err != nil {
		return err
	}
	want := schemaVersion()
	switch {
	case have > want:
		return &SchemaTooNewError{Path: s.path, File: have, Binary: want}
	case have == want:
		return s.db.View(checkBuckets)
	case readOnly:
		return fmt.Errorf("the IM database %s has schema version %d and needs migrating to %d; open it read-write once (start the IM server) to migrate", s.path, have, want)
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		for _, m := range migrations {
			if m.version <= have {
				continue
			}
			if err := m.apply(tx); err != nil {
				return fmt.Errorf("migrate %s to schema %d (%s): %w; the file is unchanged", s.path, m.version, m.name, err)
			}
		}
		if err := tx.Bucket(bucketMeta).Put(keySchema, u64(want)); err != nil {
			return err
		}
		return checkBuckets(tx)
	})
}

func fileSchema(tx *bbolt.Tx) uint64 {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0
	}
	if v := meta.Get(keySchema); len(v) == 8 {
		return btou(v)
	}
	return 0
}

func checkBuckets(tx *bbolt.Tx) error {
	for _, name := range allBuckets {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("IM database is missing bucket %s; it is damaged or not an imictl IM database: restore a backup", name)
		}
	}
	return nil
}

package mgmt

import "path/filepath"

// Locations inside the data directory (ARCH: imictl-data/mgmt/...).
const (
	dirName    = "mgmt"
	dbName     = "mgmt.db"
	caDirName  = "ca"
	socketName = "admin.sock"
)

// Dir is the management server's directory inside dataDir (0700).
func Dir(dataDir string) string { return filepath.Join(dataDir, dirName) }

// DBPath is the bbolt file of the management store.
func DBPath(dataDir string) string { return filepath.Join(dataDir, dirName, dbName) }

// CADir is the CA directory (internal/mgmt/ca).
func CADir(dataDir string) string { return filepath.Join(dataDir, dirName, caDirName) }

// SocketPath is the admin API's unix socket of a running server (0600).
func SocketPath(dataDir string) string { return filepath.Join(dataDir, dirName, socketName) }

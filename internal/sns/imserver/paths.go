package imserver

import "path/filepath"

// Locations inside the data directory (ARCH: imictl-data/im/...), all 0700.
const (
	dirName      = "im"
	dbName       = "im.db"
	filesName    = "files"
	identityName = "identity"
	socketName   = "admin.sock"
	configName   = "config.json"
	crlName      = "crl.pem"
)

// Dir is the IM server's directory inside dataDir.
func Dir(dataDir string) string { return filepath.Join(dataDir, dirName) }

// DBPath is the bbolt file of the IM server (internal/sns/imstore).
func DBPath(dataDir string) string { return filepath.Join(dataDir, dirName, dbName) }

// FilesDir holds the content-addressed file blobs.
func FilesDir(dataDir string) string { return filepath.Join(dataDir, dirName, filesName) }

// IdentityDir holds key.pem, cert.pem and root.crt, the server's identity.
func IdentityDir(dataDir string) string { return filepath.Join(dataDir, dirName, identityName) }

// SocketPath is the admin API's unix socket of a running IM server (0600).
func SocketPath(dataDir string) string { return filepath.Join(dataDir, dirName, socketName) }

// ConfigPath is the optional configuration file.
func ConfigPath(dataDir string) string { return filepath.Join(dataDir, dirName, configName) }

// crlPath keeps the last CRL fetched, so that a restart while the
// management server is unreachable can still check revocation.
func crlPath(dataDir string) string { return filepath.Join(dataDir, dirName, crlName) }

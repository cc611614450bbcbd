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

// Paths of the public API (docs/PROTOCOL.md section 5). M1, M2 and the CRL
// are the standard's; the rest are ours.
const (
	PathServers    = "/sns/restApi/managerserver/servers" // M1, signed by a registered server
	PathServerCert = "/sns/restApi/getservercert"         // M2, unauthenticated
	PathCRL        = "/sns/restApi/crl"                   // GET, DER, unauthenticated
	PathRoot       = "/sns/restApi/managerserver/root"    // GET, PEM, unauthenticated (pin by fingerprint)
	PathSubmit     = "/sns/restApi/managerserver/register/submit"
	PathModify     = "/sns/restApi/managerserver/register/modify" // signed by the server
	PathCancel     = "/sns/restApi/managerserver/register/cancel" // signed by the server
	PathStatus     = "/sns/restApi/managerserver/register/status" // signed with the application's key
	// PathReceiveNotify is M3, served by every IM server and called by the
	// management server's notifier.
	PathReceiveNotify = "/sns/restApi/imServer/servermgr/receivenotify"
)

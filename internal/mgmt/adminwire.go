package mgmt

// The admin API is HTTP with JSON bodies over the unix socket SocketPath
// (mode 0600 in a 0700 directory: only the server's user, and root, can
// connect), and, when the server is told to, over TCP with every call
// signed by an administrator certificate (docs/PROTOCOL.md section 5.7). internal/mgmt/server serves it and internal/mgmt/client calls
// it. Successful answers are the store's records as JSON (store.Application,
// store.Server, store.Certificate, store.CRL, store.OutboxEntry,
// store.AuditEntry, or lists of them); refusals are an *Error,
// {"reason","desc"}, with its HTTP status. docs/PROTOCOL.md section 5.6
// lists the calls, section 5.4 the reasons.
const (
	AdminPrefix = "/admin/v1"

	AdminHealth        = AdminPrefix + "/health"
	AdminRequests      = AdminPrefix + "/requests"      // GET ?state=&kind=&serverId=
	AdminServers       = AdminPrefix + "/servers"       // GET
	AdminCertificates  = AdminPrefix + "/certificates"  // GET ?serverId=&admin=&status=&expiringBefore=; POST signs a CSR
	AdminCRL           = AdminPrefix + "/crl"           // GET the current one; POST publishes a new one
	AdminNotifications = AdminPrefix + "/notifications" // GET ?destination=&state=&limit=
	AdminRetry         = AdminPrefix + "/notifications/retry"
	AdminQueuedChanges = AdminPrefix + "/notifications/changes" // GET: changes not yet expanded
	AdminAudit         = AdminPrefix + "/audit"                 // GET ?after=&subject=&limit=
	AdminBackup        = AdminPrefix + "/backup"                // GET: a consistent copy of the database
	// AdminTrust, on the remote admin listener only and unauthenticated,
	// gives what authenticates the answers there: the management server's
	// certificate and the current CRL (AdminTrustInfo), both checked by
	// the client against its root.
	AdminTrust = AdminPrefix + "/trust"
	// BackupTrailer ends a complete backup answer with its size in bytes.
	BackupTrailer = "Imictl-Backup-Bytes"
)

// AdminBody is the body of every admin POST; each call reads the fields it
// needs:
//
//	requests/{id}/approve        actor, reason (an optional note)
//	requests/{id}/reject         actor, reason (shown to the applicant)
//	servers/{id}/suspend|resume  actor
//	certificates                 actor, csr, validity, admin (an administrator's certificate)
//	certificates/{serial}/revoke actor, code
//	crl                          actor
//	notifications/retry          actor, destination ("" for all)
type AdminBody struct {
	Actor       string `json:"actor"`
	Reason      string `json:"reason,omitempty"`
	Code        int    `json:"code,omitempty"`        // RFC 5280 revocation reason
	CSR         string `json:"csr,omitempty"`         // PEM
	Validity    string `json:"validity,omitempty"`    // Go duration, e.g. "8760h"; "" for the default
	Destination string `json:"destination,omitempty"` // serverId
	Admin       string `json:"admin,omitempty"`       // the administrator a certificate is for
}

// AdminCount answers notifications/retry.
type AdminCount struct {
	Count int `json:"count"`
}

// AdminHealthInfo answers health: who is serving.
type AdminHealthInfo struct {
	ServerID string `json:"serverId"` // the management server's identity
	PID      int    `json:"pid"`
}

// AdminTrustInfo answers AdminTrust. Both are public (the public API serves
// them too) and verified by the client against its pinned root before use.
type AdminTrustInfo struct {
	ServerID    string `json:"serverId"`    // the management server's, to address signed calls to
	Certificate []byte `json:"certificate"` // its certificate, DER
	CRL         []byte `json:"crl"`         // the current CRL, DER
}

package mgmt

import (
	"context"
	"io"
	"time"

	"github.com/imictl/imictl/internal/mgmt/store"
)

// Admin is what an administrator can do: the operations behind `imictl
// admin ...` and `imictl ca ...`. *Service implements it on a database
// opened directly (a stopped server); the admin API client
// (internal/mgmt/client) implements it over a running server's unix
// socket, or its remote admin API with an administrator certificate.
// Errors match the same sentinels either way (see the package doc).
//
// Actors and reviewers name who acts, for the audit log: "admin:<os user>"
// or an administrator's identity.
type Admin interface {
	// Requests lists applications, oldest first.
	Requests(ctx context.Context, f store.ApplicationFilter) ([]store.Application, error)
	// Request returns one application (store.ErrNotFound).
	Request(ctx context.Context, id string) (store.Application, error)
	// Approve decides a pending application (store.ErrAlreadyDecided,
	// ErrCAUnavailable, ...); note is optional.
	Approve(ctx context.Context, id, reviewer, note string) (store.Application, error)
	// Reject refuses a pending application; reason is shown to the applicant.
	Reject(ctx context.Context, id, reviewer, reason string) (store.Application, error)

	// Servers lists registered servers, cancelled ones included.
	Servers(ctx context.Context) ([]store.Server, error)
	// Server returns one registered server.
	Server(ctx context.Context, id string) (store.Server, error)
	// Suspend sets status 1 (store.ErrStatusConflict unless it was 0).
	Suspend(ctx context.Context, serverID, actor string) (store.Server, error)
	// Resume sets status 0 (store.ErrStatusConflict unless it was 1).
	Resume(ctx context.Context, serverID, actor string) (store.Server, error)

	// Certificates lists issued certificates.
	Certificates(ctx context.Context, f store.CertFilter) ([]store.Certificate, error)
	// Certificate returns one by serial (hex, any form pki.ParseSerial reads).
	Certificate(ctx context.Context, serial string) (store.Certificate, error)
	// SignCSR issues and records a certificate outside any application;
	// validity 0 means the default.
	SignCSR(ctx context.Context, csrPEM []byte, validity time.Duration, actor string) (store.Certificate, error)
	// SignAdminCSR issues and records the certificate of administrator
	// name (pki.CheckAdminCSR); validity 0 means the default, 90 days.
	SignAdminCSR(ctx context.Context, csrPEM []byte, name string, validity time.Duration, actor string) (store.Certificate, error)
	// Revoke revokes a certificate (RFC 5280 reason code) and publishes a CRL.
	Revoke(ctx context.Context, serial string, reason int, actor string) (store.Certificate, error)
	// CRL returns the current CRL (store.ErrNotFound before the first).
	CRL(ctx context.Context) (store.CRL, error)
	// RegenerateCRL signs and publishes a new CRL now.
	RegenerateCRL(ctx context.Context, actor string) (store.CRL, error)

	// Notifications lists outbox entries; SummarizeNotifications groups
	// them per destination.
	Notifications(ctx context.Context, f store.OutboxFilter) ([]store.OutboxEntry, error)
	// RetryNotifications makes pending notifications for destination ("" for
	// all) due now and returns how many.
	RetryNotifications(ctx context.Context, destination, actor string) (int, error)
	// QueuedChanges lists the changes whose notifications are not all
	// queued yet (the notifier expands each into one per destination, in
	// batches), oldest first.
	QueuedChanges(ctx context.Context) ([]store.OutboxChange, error)

	// Audit lists the audit log.
	Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)

	// Backup writes a consistent copy of the database (a bbolt file, read
	// in one transaction while the server goes on) and returns its size.
	Backup(ctx context.Context, w io.Writer) (int64, error)
}

var _ Admin = (*Service)(nil)

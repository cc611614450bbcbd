package store

import (
	"fmt"
	"strings"

	"github.com/imictl/imictl/internal/boltdb"
)

// Approval is a reviewer's decision to approve, with the certificate the CA
// issued for the application's CSR when the application needs one
// (Application.NeedsCertificate). The caller issues it before calling
// Approve; if Approve fails, nothing was stored and the certificate is to be
// discarded (it was never published, so it needs no revocation).
type Approval struct {
	Reviewer    string
	Reason      string // optional note
	Certificate *Certificate
}

// Approve decides a pending application and applies it, all in one
// transaction with a compare-and-swap on the application's state:
//   - new: stores the certificate and the server (status 0);
//   - modify: applies the changed fields; with a CSR, stores the new
//     certificate and revokes the previous one (reason superseded);
//   - cancel: sets status 2, revokes the current certificate (reason
//     cessationOfOperation) and retires the serverId forever.
//
// Each queues a change notification to every other server with status 0
// and writes audit entries. Refused: an unknown application (ErrNotFound),
// one already approved or rejected (*AlreadyDecidedError), a certificate
// missing, unexpected or for another serverId (ErrInvalid), a serial
// already stored (ErrCertificateExists).
func (s *Store) Approve(id string, ap Approval) (Application, error) {
	if err := requireActor(ap.Reviewer); err != nil {
		return Application{}, err
	}
	if ap.Certificate != nil {
		if err := checkCertificate(ap.Certificate); err != nil {
			return Application{}, err
		}
	}
	return s.decide(id, StateApproved, ap.Reviewer, ap.Reason, func(t *txn, a *Application) error {
		cert := ap.Certificate
		switch {
		case a.NeedsCertificate() && cert == nil:
			return boltdb.Invalid("certificate", "application %s (%s) needs the certificate issued for its CSR", a.ID, a.Kind)
		case !a.NeedsCertificate() && cert != nil:
			return boltdb.Invalid("certificate", "application %s (%s) has no CSR; approve it without a certificate", a.ID, a.Kind)
		case cert != nil && cert.ServerID != a.ServerID:
			return boltdb.Invalid("certificate serverId", "%s, but application %s is for %s", cert.ServerID, a.ID, a.ServerID)
		}
		if cert != nil {
			c := *cert
			if err := t.storeCert(ap.Reviewer, ActionCertIssue, &c); err != nil {
				return err
			}
			a.ResultSerial = c.Serial
		}
		switch a.Kind {
		case KindNew:
			return t.createServer(ap.Reviewer, a)
		case KindModify:
			return t.modifyServer(ap.Reviewer, a)
		default:
			return t.cancelServer(ap.Reviewer, a)
		}
	})
}

func (t *txn) createServer(actor string, a *Application) error {
	// Submit checked these; they still hold because the pending index
	// admits one application per serverId, but a damaged index must not
	// let a retired or taken serverId through.
	if t.retired(a.ServerID) {
		return serverIDRetired(a.ServerID)
	}
	if t.b(bucketServers).Get([]byte(a.ServerID)) != nil {
		return serverExists(a.ServerID)
	}
	srv := Server{ServerID: a.ServerID, ServerFields: a.Fields, Status: StatusNormal, CertSerial: a.ResultSerial, CreatedAt: t.now}
	if err := t.changeServer(&srv); err != nil {
		return err
	}
	return t.audit(actor, ActionServerCreate, a.ServerID, "by "+a.ID)
}

func (t *txn) modifyServer(actor string, a *Application) error {
	srv, err := t.server(a.ServerID)
	if err != nil {
		return err
	}
	if srv.Status == StatusCancelled {
		return serverCancelled(a.ServerID)
	}
	for _, name := range a.Changed {
		*srv.field(name) = *a.Fields.field(name)
	}
	detail := "by " + a.ID
	if len(a.Changed) > 0 {
		detail += ": " + strings.Join(a.Changed, ", ")
	}
	if a.ResultSerial != "" {
		if err := t.retireCert(actor, srv.CertSerial, ReasonSuperseded); err != nil {
			return err
		}
		detail += fmt.Sprintf("; certificate %s replaces %s", a.ResultSerial, srv.CertSerial)
		srv.CertSerial = a.ResultSerial
	}
	if err := t.changeServer(&srv); err != nil {
		return err
	}
	return t.audit(actor, ActionServerModify, a.ServerID, detail)
}

func (t *txn) cancelServer(actor string, a *Application) error {
	srv, err := t.server(a.ServerID)
	if err != nil {
		return err
	}
	if srv.Status == StatusCancelled {
		return serverCancelled(a.ServerID)
	}
	if err := t.retireCert(actor, srv.CertSerial, ReasonCessationOfOperation); err != nil {
		return err
	}
	srv.Status = StatusCancelled
	if err := t.changeServer(&srv); err != nil {
		return err
	}
	if err := boltdb.Put(t.b(bucketTombstones), []byte(a.ServerID), Tombstone{ServerID: a.ServerID, CancelledAt: t.now, Application: a.ID}); err != nil {
		return err
	}
	return t.audit(actor, ActionServerCancel, a.ServerID, "by "+a.ID)
}

// retireCert revokes a server's previous certificate unless there is none
// or an administrator already revoked it (keeping that reason).
func (t *txn) retireCert(actor, serial string, reason int) error {
	if serial == "" {
		return nil
	}
	c, err := t.certificate(serial)
	if err != nil || c.Status == CertRevoked {
		return err
	}
	_, err = t.revoke(actor, serial, reason)
	return err
}

package store

import (
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// AuditEntry records one state change: who did what to which subject, when.
// Entries are written in the transaction that makes the change, so the log
// holds exactly the changes that happened.
type AuditEntry struct {
	Seq     uint64    `json:"seq"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`  // e.g. "application.approve", "server.suspend"
	Subject string    `json:"subject"` // the application id, serverId, certificate serial, ...
	Detail  string    `json:"detail,omitempty"`
}

// Actions written to the audit log.
const (
	ActionSubmit        = "application.submit"
	ActionApprove       = "application.approve"
	ActionReject        = "application.reject"
	ActionServerCreate  = "server.create"
	ActionServerImport  = "server.import"
	ActionServerModify  = "server.modify"
	ActionServerSuspend = "server.suspend"
	ActionServerResume  = "server.resume"
	ActionServerCancel  = "server.cancel"
	ActionCertIssue     = "certificate.issue"
	ActionCertRecord    = "certificate.record"
	ActionCertRevoke    = "certificate.revoke"
	ActionCRLPublish    = "crl.publish"
	ActionOutboxRetry   = "outbox.retry"
)

// AuditFilter selects audit entries. Zero values select everything.
type AuditFilter struct {
	After   uint64 // only entries with Seq > After
	Subject string // only entries about this subject
	Limit   int    // at most this many (0 = no limit)
}

func (t *txn) audit(actor, action, subject, detail string) error {
	b := t.b(bucketAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return boltdb.Put(b, boltdb.U64(seq), AuditEntry{Seq: seq, At: t.now, Actor: actor, Action: action, Subject: subject, Detail: detail})
}

// Audit lists audit entries in the order they were written.
func (s *Store) Audit(f AuditFilter) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.view(func(t *txn) error {
		c := t.b(bucketAudit).Cursor()
		for k, v := c.Seek(boltdb.U64(f.After + 1)); k != nil; k, v = c.Next() {
			e, err := boltdb.Decode[AuditEntry](v)
			if err != nil {
				return fmt.Errorf("audit entry %d: %w", boltdb.Btou(k), err)
			}
			if f.Subject != "" && e.Subject != f.Subject {
				continue
			}
			out = append(out, e)
			if f.Limit > 0 && len(out) == f.Limit {
				break
			}
		}
		return nil
	})
	return out, err
}

func requireActor(actor string) error {
	if actor == "" {
		return boltdb.Invalid("actor", "empty; every change records who made it")
	}
	return nil
}

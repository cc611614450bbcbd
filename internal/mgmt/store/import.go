package store

import (
	"fmt"

	"github.com/imictl/imictl/internal/boltdb"
)

// ImportServers stores servers registered elsewhere, for example when a
// registry moves from another management server, or to build a large
// directory for a benchmark, in one transaction and without change
// notifications (the servers are not new to the network). Each must have a
// valid serverId that is neither registered nor retired, every required
// field, status 0 or 1, and, when CertSerial is set, a certificate of its
// own already stored (RecordCertificate). The store sets the times.
func (s *Store) ImportServers(actor string, servers []Server) error {
	if err := requireActor(actor); err != nil {
		return err
	}
	return s.update(func(t *txn) error {
		for _, in := range servers {
			if err := t.checkImport(in); err != nil {
				return fmt.Errorf("importing %q: %w", in.ServerID, err)
			}
			srv := Server{ServerID: in.ServerID, ServerFields: in.ServerFields, Status: in.Status, CertSerial: in.CertSerial, CreatedAt: t.now}
			if err := t.putServer(&srv); err != nil {
				return err
			}
			if err := t.audit(actor, ActionServerImport, srv.ServerID, ""); err != nil {
				return err
			}
		}
		return nil
	})
}

func (t *txn) checkImport(srv Server) error {
	if err := checkServerID("serverId", srv.ServerID); err != nil {
		return err
	}
	for _, name := range FieldNames {
		if !optionalFields[name] && *srv.ServerFields.field(name) == "" {
			return boltdb.Invalid(name, "required")
		}
	}
	if srv.Status != StatusNormal && srv.Status != StatusSuspended {
		return boltdb.Invalid("status", "%d; import servers with status 0 or 1", srv.Status)
	}
	if err := t.checkSubmittable(Application{Kind: KindNew, ServerID: srv.ServerID}); err != nil {
		return err
	}
	if srv.CertSerial != "" {
		c, err := t.certificate(srv.CertSerial)
		if err != nil {
			return err
		}
		if c.ServerID != srv.ServerID {
			return boltdb.Invalid("certSerial", "certificate %s is for %q", c.Serial, c.ServerID)
		}
	}
	return nil
}

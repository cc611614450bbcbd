package store

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// CertStatus of an issued certificate. Stored: valid or revoked; expired is
// derived from NotAfter by StatusAt.
type CertStatus string

const (
	CertValid   CertStatus = "valid"
	CertRevoked CertStatus = "revoked"
	CertExpired CertStatus = "expired"
)

// RFC 5280 §5.3.1 revocation reason codes the store writes itself: when an
// approved modification replaces a certificate, and when a cancellation
// retires one. An administrator's revocation carries the code given.
const (
	ReasonSuperseded           = 4
	ReasonCessationOfOperation = 5
)

// Certificate is one certificate the CA issued, as DER plus the metadata the
// caller parsed from it. The store does no cryptography.
//
// It is either an IM server's (ServerID set) or an administrator's (Admin
// set, ServerID empty), never both: the two namespaces are apart, so that
// a server "alpha" and an administrator "alpha" are different holders, and
// only server certificates are indexed by serverId (ListCertificates with
// a ServerID, a server's current certificate).
type Certificate struct {
	Serial    string    `json:"serial"` // lowercase hex, no leading zeros (big.Int.Text(16))
	ServerID  string    `json:"serverId"`
	Admin     string    `json:"admin,omitempty"` // the administrator's name (urn:imi:admin:<name>)
	DER       []byte    `json:"der"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	IssuedAt  time.Time `json:"issuedAt"` // set by the store

	Status           CertStatus `json:"status"` // valid or revoked
	RevokedAt        time.Time  `json:"revokedAt,omitzero"`
	RevocationReason int        `json:"revocationReason,omitempty"` // RFC 5280 CRLReason
}

// StatusAt is the certificate's status at now: revoked, else expired after
// NotAfter, else valid.
func (c Certificate) StatusAt(now time.Time) CertStatus {
	if c.Status == CertRevoked {
		return CertRevoked
	}
	if now.After(c.NotAfter) {
		return CertExpired
	}
	return CertValid
}

// Revocation is what a CRL entry needs, kept apart from the certificate so
// that building a CRL does not read every certificate's DER.
type Revocation struct {
	Serial    string    `json:"serial"`
	ServerID  string    `json:"serverId"`
	Admin     string    `json:"admin,omitempty"`
	RevokedAt time.Time `json:"revokedAt"`
	Reason    int       `json:"reason"`
	NotAfter  time.Time `json:"notAfter"` // a CRL may drop entries once they expire
}

// CertFilter selects certificates; zero values select everything.
type CertFilter struct {
	ServerID       string     // only this server's certificates
	Admin          string     // only this administrator's certificates
	Status         CertStatus // valid, revoked or expired, as StatusAt reports it now
	ExpiringBefore time.Time  // only certificates with NotAfter before this
}

// checkCertificate validates a certificate handed to the store.
func checkCertificate(c *Certificate) error {
	if c.Serial == "" || strings.Trim(c.Serial, "0123456789abcdef") != "" || c.Serial[0] == '0' {
		return boltdb.Invalid("certificate serial", "%q must be lowercase hex without leading zeros, as big.Int.Text(16) writes it", c.Serial)
	}
	switch {
	case c.Admin != "" && c.ServerID != "":
		return boltdb.Invalid("certificate holder", "both serverId %q and administrator %q: a certificate is a server's or an administrator's", c.ServerID, c.Admin)
	case c.Admin != "":
		if err := checkServerID("certificate administrator", c.Admin); err != nil { // the same rule (pki.ValidateAdminName)
			return err
		}
	default:
		if err := checkServerID("certificate serverId", c.ServerID); err != nil {
			return err
		}
	}
	if len(c.DER) == 0 {
		return boltdb.Invalid("certificate DER", "empty")
	}
	if !c.NotAfter.After(c.NotBefore) {
		return boltdb.Invalid("certificate validity", "notAfter %s is not after notBefore %s", c.NotAfter, c.NotBefore)
	}
	return nil
}

// storeCert adds a new valid certificate and its index entry.
func (t *txn) storeCert(actor, action string, c *Certificate) error {
	certs := t.b(bucketCertificates)
	if certs.Get([]byte(c.Serial)) != nil {
		return fmt.Errorf("%w: %s; issue the certificate again with a fresh serial", ErrCertificateExists, c.Serial)
	}
	c.IssuedAt, c.Status, c.RevokedAt, c.RevocationReason = t.now, CertValid, time.Time{}, 0
	if err := boltdb.Put(certs, []byte(c.Serial), *c); err != nil {
		return err
	}
	if c.Admin == "" {
		if err := t.b(bucketCertificatesByServer).Put(certIndexKey(c.ServerID, c.Serial), nil); err != nil {
			return err
		}
	}
	return t.audit(actor, action, c.Serial, fmt.Sprintf("%s, valid until %s", c.Holder(), c.NotAfter.UTC().Format(time.RFC3339)))
}

// Holder describes whose certificate it is: "server ID" or
// "administrator NAME".
func (c Certificate) Holder() string {
	if c.Admin != "" {
		return "administrator " + c.Admin
	}
	return "server " + c.ServerID
}

func certIndexKey(serverID, serial string) []byte {
	return []byte(serverID + "\x00" + serial)
}

func (t *txn) certificate(serial string) (Certificate, error) {
	c, ok, err := boltdb.Get[Certificate](t.b(bucketCertificates), []byte(serial))
	if err != nil {
		return c, fmt.Errorf("certificate %s: %w", serial, err)
	}
	if !ok {
		return c, &NotFoundError{Kind: "certificate", Key: serial}
	}
	return c, nil
}

// revoke marks a stored certificate revoked and lists it for the CRL.
func (t *txn) revoke(actor, serial string, reason int) (Certificate, error) {
	c, err := t.certificate(serial)
	if err != nil {
		return c, err
	}
	if c.Status == CertRevoked {
		return c, fmt.Errorf("%w: %s was revoked at %s", ErrAlreadyRevoked, serial, c.RevokedAt.Format(time.RFC3339))
	}
	c.Status, c.RevokedAt, c.RevocationReason = CertRevoked, t.now, reason
	if err := boltdb.Put(t.b(bucketCertificates), []byte(serial), c); err != nil {
		return c, err
	}
	r := Revocation{Serial: serial, ServerID: c.ServerID, Admin: c.Admin, RevokedAt: t.now, Reason: reason, NotAfter: c.NotAfter}
	if err := boltdb.Put(t.b(bucketRevocations), []byte(serial), r); err != nil {
		return c, err
	}
	return c, t.audit(actor, ActionCertRevoke, serial, fmt.Sprintf("%s, reason %d", c.Holder(), reason))
}

// RecordCertificate stores a certificate issued outside an application
// (imictl ca sign), so that it can be listed, exported and revoked.
func (s *Store) RecordCertificate(actor string, c Certificate) (Certificate, error) {
	if err := requireActor(actor); err != nil {
		return Certificate{}, err
	}
	if err := checkCertificate(&c); err != nil {
		return Certificate{}, err
	}
	err := s.update(func(t *txn) error { return t.storeCert(actor, ActionCertRecord, &c) })
	if err != nil {
		return Certificate{}, err
	}
	return c, nil
}

// RevokeCertificate revokes a stored certificate with an RFC 5280 reason
// code. The caller then publishes a new CRL (PutCRL). The server record is
// left alone: suspend the server too if it must stop being used.
func (s *Store) RevokeCertificate(actor, serial string, reason int) (Certificate, error) {
	if err := requireActor(actor); err != nil {
		return Certificate{}, err
	}
	if reason < 0 || reason > 10 || reason == 7 || reason == 8 {
		return Certificate{}, boltdb.Invalid("revocation reason", "%d is not an RFC 5280 CRLReason for revoking (0-6, 9, 10)", reason)
	}
	var c Certificate
	err := s.update(func(t *txn) error {
		var err error
		c, err = t.revoke(actor, serial, reason)
		return err
	})
	if err != nil {
		return Certificate{}, err
	}
	return c, nil
}

// GetCertificate returns the certificate with this serial (lowercase hex).
func (s *Store) GetCertificate(serial string) (Certificate, error) {
	var c Certificate
	err := s.view(func(t *txn) error {
		var err error
		c, err = t.certificate(serial)
		return err
	})
	return c, err
}

// ServerCertificate returns the current certificate of a registered server
// (interface M2), whatever its status: the caller decides what to serve.
func (s *Store) ServerCertificate(serverID string) (Certificate, error) {
	var c Certificate
	err := s.view(func(t *txn) error {
		srv, err := t.server(serverID)
		if err != nil {
			return err
		}
		c, err = t.certificate(srv.CertSerial)
		return err
	})
	return c, err
}

// ListCertificates returns the certificates f selects: by serial, or for
// one server in serial order (through the index; an administrator's are
// found by a scan, there being few).
func (s *Store) ListCertificates(f CertFilter) ([]Certificate, error) {
	var out []Certificate
	now := s.now()
	keep := func(c Certificate) {
		if (f.Admin == "" || c.Admin == f.Admin) && (f.Status == "" || c.StatusAt(now) == f.Status) && (f.ExpiringBefore.IsZero() || c.NotAfter.Before(f.ExpiringBefore)) {
			out = append(out, c)
		}
	}
	err := s.view(func(t *txn) error {
		if f.ServerID == "" {
			return t.b(bucketCertificates).ForEach(func(k, v []byte) error {
				c, err := boltdb.Decode[Certificate](v)
				if err != nil {
					return fmt.Errorf("certificate %s: %w", k, err)
				}
				keep(c)
				return nil
			})
		}
		prefix := []byte(f.ServerID + "\x00")
		c := t.b(bucketCertificatesByServer).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			cert, err := t.certificate(string(k[len(prefix):]))
			if err != nil {
				return err
			}
			keep(cert)
		}
		return nil
	})
	return out, err
}

// Revocations lists every revoked certificate, by serial, for building a CRL.
func (s *Store) Revocations() ([]Revocation, error) {
	var out []Revocation
	err := s.view(func(t *txn) error {
		return t.b(bucketRevocations).ForEach(func(k, v []byte) error {
			r, err := boltdb.Decode[Revocation](v)
			if err != nil {
				return fmt.Errorf("revocation %s: %w", k, err)
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

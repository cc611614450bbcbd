package ca

import (
	"time"

	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// Cert is an issued certificate as the ca commands show it. Its JSON form
// is their scripting contract; PEM is set only where one certificate is
// shown (sign, export, revoke).
type Cert struct {
	Serial           string           `json:"serial"`
	ServerID         string           `json:"serverId"`        // "" for an administrator's
	Admin            string           `json:"admin,omitempty"` // the administrator's name, for theirs
	Status           store.CertStatus `json:"status"`          // valid, revoked or expired, now
	NotBefore        time.Time        `json:"notBefore"`
	NotAfter         time.Time        `json:"notAfter"`
	IssuedAt         time.Time        `json:"issuedAt"`
	RevokedAt        time.Time        `json:"revokedAt,omitzero"`
	RevocationReason string           `json:"revocationReason,omitempty"` // RFC 5280 name
	Fingerprints     key.Fingerprints `json:"fingerprints"`
	PEM              string           `json:"pem,omitempty"`
}

func newCert(c store.Certificate, now time.Time) Cert {
	out := Cert{
		Serial:       c.Serial,
		ServerID:     c.ServerID,
		Admin:        c.Admin,
		Status:       c.StatusAt(now),
		NotBefore:    c.NotBefore.UTC(),
		NotAfter:     c.NotAfter.UTC(),
		IssuedAt:     c.IssuedAt.UTC(),
		Fingerprints: key.FingerprintsOf(c.DER),
	}
	if c.Status == store.CertRevoked {
		out.RevokedAt = c.RevokedAt.UTC()
		out.RevocationReason = pki.RevocationReasonName(c.RevocationReason)
	}
	return out
}

// withPEM is c with its PEM, for the commands that show one certificate.
func withPEM(c store.Certificate, now time.Time) Cert {
	out := newCert(c, now)
	out.PEM = string(mgmt.CertificatePEM(c))
	return out
}

func (c Cert) view() output.View {
	fields := []output.Field{
		{Key: "Serial", Value: c.Serial},
		holderField(c),
		{Key: "Status", Value: string(c.Status)},
		{Key: "Not before", Value: stamp(c.NotBefore)},
		{Key: "Not after", Value: stamp(c.NotAfter)},
		{Key: "Issued at", Value: stamp(c.IssuedAt)},
	}
	if c.Status == store.CertRevoked {
		fields = append(fields,
			output.Field{Key: "Revoked at", Value: stamp(c.RevokedAt)},
			output.Field{Key: "Reason", Value: c.RevocationReason})
	}
	fields = append(fields, output.Field{Key: "SHA-256", Value: c.Fingerprints.SHA256})
	return output.View{Data: c, Details: fields}
}

func listView(certs []Cert) output.View {
	rows := make([][]string, len(certs))
	for i, c := range certs {
		rows[i] = []string{c.Serial, c.holder(), string(c.Status), stamp(c.NotBefore), stamp(c.NotAfter)}
	}
	return output.View{Data: certs, Headers: []string{"serial", "holder", "status", "notBefore", "notAfter"}, Rows: rows}
}

// holder is whose certificate it is in a table: the serverId, or
// "admin:<name>" for an administrator's (never a serverId: ':' is not
// allowed in one).
func (c Cert) holder() string {
	if c.Admin != "" {
		return "admin:" + c.Admin
	}
	return c.ServerID
}

func holderField(c Cert) output.Field {
	if c.Admin != "" {
		return output.Field{Key: "Administrator", Value: c.Admin}
	}
	return output.Field{Key: "Server id", Value: c.ServerID}
}

// stamp is how tables show times: RFC 3339 in UTC, as in JSON.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

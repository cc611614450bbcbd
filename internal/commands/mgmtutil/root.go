package mgmtutil

import (
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// RootInfo describes the interconnection root. Its JSON form is the
// scripting contract of `ca root`, `ca init` and `dir bootstrap`.
type RootInfo struct {
	Subject      string           `json:"subject"`
	NotBefore    time.Time        `json:"notBefore"`
	NotAfter     time.Time        `json:"notAfter"`
	Fingerprints key.Fingerprints `json:"fingerprints"` // of the certificate's DER: what dir bootstrap --fingerprint takes
	File         string           `json:"file,omitempty"`
	PEM          string           `json:"pem"`
}

// NewRootInfo describes root; file is where it is, if anywhere.
func NewRootInfo(root *smx509.Certificate, file string) RootInfo {
	return RootInfo{
		Subject:      root.Subject.String(),
		NotBefore:    root.NotBefore.UTC(),
		NotAfter:     root.NotAfter.UTC(),
		Fingerprints: key.FingerprintsOf(root.Raw),
		File:         file,
		PEM:          string(pki.EncodeCertificatePEM(root.Raw)),
	}
}

// Fields are the table lines of the description (the PEM left out).
func (r RootInfo) Fields() []output.Field {
	fields := []output.Field{
		{Key: "Subject", Value: r.Subject},
		{Key: "Not before", Value: r.NotBefore.Format(time.RFC3339)},
		{Key: "Not after", Value: r.NotAfter.Format(time.RFC3339)},
		{Key: "SHA-256", Value: r.Fingerprints.SHA256},
		{Key: "SM3", Value: r.Fingerprints.SM3},
	}
	if r.File != "" {
		fields = append([]output.Field{{Key: "File", Value: r.File}}, fields...)
	}
	return fields
}

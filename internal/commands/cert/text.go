package cert

import (
	"fmt"
	"strings"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/output"
)

// text renders a certificate for people, in the spirit of `openssl x509
// -text` with imictl's names: the serverId, and fingerprints instead of
// key and signature bytes. Every value from the certificate is escaped:
// certificates come from peers.
func text(c *smx509.Certificate, i Info) string {
	var b strings.Builder
	line := func(depth int, key, value string) {
		b.WriteString(strings.Repeat("    ", depth))
		b.WriteString(key)
		b.WriteString(":")
		if value != "" {
			b.WriteString(" ")
			b.WriteString(output.EscapeControl(value))
		}
		b.WriteString("\n")
	}
	serverID := i.ServerID
	if serverID == "" {
		serverID = "none (no urn:imi:server:<serverId> URI SAN matching the CN)"
	}
	line(0, "Certificate", "")
	line(1, "Version", fmt.Sprint(i.Version))
	line(1, "Serial", i.Serial)
	line(1, "Signature algorithm", i.SignatureAlgorithm)
	line(1, "Issuer", i.Issuer)
	line(1, "Validity", "")
	line(2, "Not before", i.NotBefore.Format(time.RFC3339))
	line(2, "Not after", i.NotAfter.Format(time.RFC3339))
	line(1, "Subject", i.Subject)
	line(1, "Server id", serverID)
	line(1, "Public key", i.PublicKeyAlgorithm)
	line(2, "SHA-256", i.PublicKeyFingerprints.SHA256)
	line(2, "SM3", i.PublicKeyFingerprints.SM3)
	if len(c.Extensions) > 0 {
		line(1, "Extensions", "")
	}
	for _, e := range c.Extensions {
		name := func(n string) string {
			if e.Critical {
				return n + " (critical)"
			}
			return n
		}
		switch e.Id.String() {
		case "2.5.29.19":
			line(2, name("Basic constraints"), basicConstraints(c))
		case "2.5.29.15":
			line(2, name("Key usage"), strings.Join(i.KeyUsages, ", "))
		case "2.5.29.37":
			line(2, name("Extended key usage"), strings.Join(i.ExtKeyUsages, ", "))
		case "2.5.29.17":
			line(2, name("Subject alternative names"), "")
			for _, s := range sans(i) {
				line(3, s[0], s[1])
			}
		case "2.5.29.14":
			line(2, name("Subject key id"), i.SubjectKeyID)
		case "2.5.29.35":
			line(2, name("Authority key id"), i.AuthorityKeyID)
		case "2.5.29.31":
			line(2, name("CRL distribution points"), "")
			for _, u := range i.CRLDistributionPoints {
				line(3, "URI", u)
			}
		default:
			line(2, name(e.Id.String()), fmt.Sprintf("%d bytes", len(e.Value)))
		}
	}
	line(1, "Fingerprints", "")
	line(2, "SHA-256", i.Fingerprints.SHA256)
	line(2, "SM3", i.Fingerprints.SM3)
	return b.String()
}

func basicConstraints(c *smx509.Certificate) string {
	if !c.IsCA {
		return "CA:FALSE"
	}
	if c.MaxPathLen > 0 || c.MaxPathLenZero {
		return fmt.Sprintf("CA:TRUE, pathlen:%d", c.MaxPathLen)
	}
	return "CA:TRUE"
}

// sans lists the subject alternative names as (type, value) pairs.
func sans(i Info) [][2]string {
	var out [][2]string
	for _, n := range i.DNSNames {
		out = append(out, [2]string{"DNS", n})
	}
	for _, n := range i.URIs {
		out = append(out, [2]string{"URI", n})
	}
	for _, n := range i.IPAddresses {
		out = append(out, [2]string{"IP", n})
	}
	for _, n := range i.EmailAddresses {
		out = append(out, [2]string{"Email", n})
	}
	return out
}

// details is the short form: the fields of --short and -o table.
func details(i Info) []output.Field {
	var names []string
	for _, s := range sans(i) {
		names = append(names, s[0]+":"+s[1])
	}
	usages := append(append([]string{}, i.KeyUsages...), i.ExtKeyUsages...)
	return []output.Field{
		{Key: "Subject", Value: i.Subject},
		{Key: "Issuer", Value: i.Issuer},
		{Key: "Serial", Value: i.Serial},
		{Key: "Not before", Value: i.NotBefore.Format(time.RFC3339)},
		{Key: "Not after", Value: i.NotAfter.Format(time.RFC3339)},
		{Key: "Server id", Value: orNone(i.ServerID)},
		{Key: "Key usage", Value: orNone(strings.Join(usages, ", "))},
		{Key: "SANs", Value: orNone(strings.Join(names, ", "))},
		{Key: "SHA-256", Value: i.Fingerprints.SHA256},
		{Key: "SM3", Value: i.Fingerprints.SM3},
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

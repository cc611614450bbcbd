package probe

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/pki"
)

// certWarnWithin is how close to its expiry an interconnection certificate
// is a warning.
const certWarnWithin = 30 * 24 * time.Hour

// checkCertificate fetches the server's certificate (M2), unverified: the
// checks after it say what is wrong with it. A peer probed by URL is
// looked up in the directory first, under the serverId it named.
func (r *run) checkCertificate(byURL bool) Check {
	if r.firstFail != "" {
		return r.skippedAfter()
	}
	if byURL {
		if r.claimed == "" {
			return skipped("not run: the server at %s did not name itself (transport.http)", r.base)
		}
		r.serverID = r.claimed
		if rec, c := r.lookUp(); rec == nil {
			return c
		}
	}
	ctx, cancel := r.step()
	defer cancel()
	cert, err := r.plain.ServerCert(ctx, r.serverID)
	if err != nil {
		var me *mgmt.Error
		if errors.As(err, &me) && me.Reason == "unknown_server" {
			return fail(ClassAuth, "unknown_server", "a server has a certificate once its registration is approved",
				"the management server has no certificate for %s (M2: %v)", r.serverID, err)
		}
		return r.mgmtFailure("fetching the certificate of "+r.serverID+" (M2)", err)
	}
	r.cert = cert
	finding := fmt.Sprintf("M2 serves %s for %s, issued by %q", describe(cert), r.serverID, cert.Issuer.CommonName)
	if r.record != nil && byURL && strings.TrimRight(r.record.ServerAddress, "/") != strings.TrimRight(r.base.String(), "/") {
		return warn("address_differs", "peers call the directory's address; its operator corrects it with imictl register modify if it is wrong",
			"%s; the directory lists it at %s, not at %s", finding, r.record.ServerAddress, r.base)
	}
	return ok("%s", finding)
}

func describe(c *smx509.Certificate) string {
	return fmt.Sprintf("certificate %s (serial %s)", c.Subject.CommonName, pki.SerialHex(c.SerialNumber))
}

// checkChain: issued by a pinned root. Checked at a time within the
// certificate's validity, so that an expired one is identity.validity's.
func (r *run) checkChain() Check {
	if r.cert == nil {
		return r.skippedAfter()
	}
	c := r.cert
	mid := c.NotBefore.Add(c.NotAfter.Sub(c.NotBefore) / 2)
	chains, err := c.Verify(smx509.VerifyOptions{Roots: r.roots, CurrentTime: mid, KeyUsages: []smx509.ExtKeyUsage{smx509.ExtKeyUsageAny}})
	for _, chain := range chains {
		if len(chain) >= 2 {
			return ok("issued by the pinned root %q", chain[len(chain)-1].Subject.CommonName)
		}
	}
	if err == nil {
		err = errors.New("it is itself a pinned root")
	}
	return fail(ClassAuth, string(pki.ReasonUnknownAuthority),
		"the server is registered at another management server than yours, or your --root is not the root of "+r.cfg.MgmtURL+" (`imictl probe` alone checks it)",
		"the certificate of %s, issued by %q, does not chain to your pinned root: %v", r.serverID, c.Issuer.CommonName, err)
}

// checkValidity: now within the validity period, and not about to end.
func (r *run) checkValidity() Check {
	if r.cert == nil {
		return r.skippedAfter()
	}
	c, now := r.cert, r.now()
	renew := "its operator renews it (a new certificate through imictl register modify, approved by the administrator)"
	switch {
	case now.Before(c.NotBefore):
		return fail(ClassAuth, "cert_not_yet_valid", "check the clocks (NTP) of this machine and of the CA",
			"the certificate of %s is not valid before %s (in %s)", r.serverID, stamp(c.NotBefore), c.NotBefore.Sub(now).Round(time.Second))
	case now.After(c.NotAfter):
		return fail(ClassAuth, "cert_expired", renew,
			"the certificate of %s expired at %s, %s ago: every call from or to it is refused (cert_expired)", r.serverID, stamp(c.NotAfter), days(now.Sub(c.NotAfter)))
	case c.NotAfter.Sub(now) < certWarnWithin:
		return warn("cert_expiring", renew, "valid until %s: %s left", stamp(c.NotAfter), days(c.NotAfter.Sub(now)))
	}
	return ok("valid until %s: %s left", stamp(c.NotAfter), days(c.NotAfter.Sub(now)))
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// checkBinding: the certificate names the serverId it was served for.
func (r *run) checkBinding() Check {
	if r.cert == nil {
		return r.skippedAfter()
	}
	next := "its certificate must bind urn:imi:server:" + r.serverID + " and CN=" + r.serverID + " (docs/PROTOCOL.md 2): register with a CSR made for that serverId"
	id, err := pki.ServerIDFromCertificate(r.cert)
	if err != nil {
		return fail(ClassAuth, string(pki.ReasonMalformed), next, "the certificate of %s names no serverId: %v", r.serverID, err)
	}
	if id != r.serverID {
		return fail(ClassAuth, string(pki.ReasonWrongServerID), next,
			"the certificate served for %s is bound to %q: every call from or to it is refused (cert_invalid)", r.serverID, id)
	}
	return ok("bound to %s (urn:imi:server:%s, CN=%s)", id, id, id)
}

// checkUsage: the key may sign, for a server that calls and is called.
func (r *run) checkUsage() Check {
	if r.cert == nil {
		return r.skippedAfter()
	}
	c := r.cert
	next := "the CA must issue it with digitalSignature and serverAuth or clientAuth (docs/PROTOCOL.md 2)"
	if c.KeyUsage != 0 && c.KeyUsage&smx509.KeyUsageDigitalSignature == 0 {
		return fail(ClassAuth, string(pki.ReasonBadKeyUsage), next, "the certificate of %s may not sign (no digitalSignature key usage)", r.serverID)
	}
	for _, u := range c.ExtKeyUsage {
		if u == smx509.ExtKeyUsageServerAuth || u == smx509.ExtKeyUsageClientAuth || u == smx509.ExtKeyUsageAny {
			return ok("digitalSignature, with serverAuth or clientAuth")
		}
	}
	return fail(ClassAuth, string(pki.ReasonBadKeyUsage), next, "the certificate of %s has neither serverAuth nor clientAuth extended key usage", r.serverID)
}

// checkRevocation looks the certificate up in the current CRL.
func (r *run) checkRevocation() Check {
	if r.cert == nil {
		return r.skippedAfter()
	}
	crl, c := r.currentCRL()
	if crl == nil {
		return c
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(r.cert.SerialNumber) == 0 {
			return fail(ClassAuth, "cert_revoked", "its operator registers again for a new certificate; ask the management server's administrator why it was revoked",
				"the certificate of %s (serial %s) was revoked at %s (%s): every call from or to it is refused (cert_revoked)",
				r.serverID, pki.SerialHex(e.SerialNumber), stamp(e.RevocationTime), pki.RevocationReasonName(e.ReasonCode))
		}
	}
	return ok("not on the CRL (number %s, %d revoked)", crlNumber(crl), len(crl.RevokedCertificateEntries))
}

func crlNumber(crl *smx509.RevocationList) string {
	if crl.Number == nil {
		return "none"
	}
	return crl.Number.String()
}

// currentCRL fetches the CRL once, and accepts it only when a pinned root
// signed it and it is not stale; otherwise it returns the failed check.
func (r *run) currentCRL() (*smx509.RevocationList, Check) {
	if r.crl != nil {
		return r.crl, Check{}
	}
	ctx, cancel := r.step()
	defer cancel()
	crl, _, err := r.plain.CRL(ctx)
	if err != nil {
		c := r.mgmtFailure("fetching the CRL", err)
		if c.Class == ClassOther {
			c.Class = ClassUnavailable
		}
		c.Reason = "crl_unavailable"
		return nil, c
	}
	signed := false
	for _, root := range r.cfg.Roots {
		signed = signed || crl.CheckSignatureFrom(root) == nil
	}
	if !signed {
		return nil, fail(ClassAuth, string(pki.ReasonCRLInvalid), "check --root against `imictl probe` (which probes the management server)",
			"the CRL served by %s is not signed by your pinned root", r.cfg.MgmtURL)
	}
	if !crl.NextUpdate.IsZero() && r.now().After(crl.NextUpdate) {
		return nil, fail(ClassUnavailable, "crl_unavailable", "the management server must publish a new CRL (imictl ca crl); until then calls are refused with crl_unavailable",
			"the CRL served by %s is stale: its nextUpdate %s has passed", r.cfg.MgmtURL, stamp(crl.NextUpdate))
	}
	r.crl = crl
	return crl, Check{}
}

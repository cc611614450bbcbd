package probe

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net/http"
	"time"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/pki"
)

// crlWarnWithin is how close to its nextUpdate a CRL is a warning.
const crlWarnWithin = time.Hour

// checkRoot compares the root the management server serves with the
// pinned one.
func (r *run) checkRoot() Check {
	if r.servedRoot == nil {
		return r.skippedAfter()
	}
	served, err := pki.ParseCertificatePEM(r.servedRoot)
	if err != nil {
		return fail(ClassOther, "bad_root", "its administrator checks its CA (imictl ca root)", "the root served is not a certificate: %v", err)
	}
	fp := fmt.Sprintf("%x", sha256.Sum256(served.Raw))
	for _, root := range r.cfg.Roots {
		if bytes.Equal(root.Raw, served.Raw) {
			return ok("the root served (%q, SHA-256 %s) is your pinned root", served.Subject.CommonName, fp)
		}
	}
	return fail(ClassAuth, "root_mismatch",
		"if --mgmt is right, --root is another federation's: fetch this one with `imictl dir bootstrap --mgmt URL --fingerprint FP`, FP from its administrator",
		"the management server serves the root %q (SHA-256 %s), which is not your pinned root", served.Subject.CommonName, fp)
}

// checkCRL: the CRL is served, signed by the pinned root, and fresh.
func (r *run) checkCRL() Check {
	if r.firstFail != "" {
		return r.skippedAfter()
	}
	crl, c := r.currentCRL()
	if crl == nil {
		return c
	}
	left := crl.NextUpdate.Sub(r.now())
	finding := fmt.Sprintf("CRL number %s, signed by the pinned root, %d revoked, next update in %s", crlNumber(crl), len(crl.RevokedCertificateEntries), left.Round(time.Minute))
	if !crl.NextUpdate.IsZero() && left < crlWarnWithin {
		return warn("crl_expiring", "the management server publishes a new CRL before then (imictl ca crl); after it, calls are refused with crl_unavailable", "%s", finding)
	}
	return ok("%s", finding)
}

// checkMgmtDirectory makes a signed M1 query restricted to ourselves: the
// management server authenticates us, and we its answer.
func (r *run) checkMgmtDirectory() (Check, *answer) {
	if r.firstFail != "" {
		return r.skippedAfter(), nil
	}
	if r.cfg.Cert == nil {
		return skipped("no certificate given (--cert): the directory (M1) answers registered servers only"), nil
	}
	self := r.signer.ServerID()
	var m1 *answer
	trace := func(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
		if resp != nil && req.URL.Path == mgmt.PathServers {
			m1 = &answer{req: req, status: resp.StatusCode, header: resp.Header.Clone(), body: respBody, at: r.now()}
		}
		r.trace(req, reqBody, resp, respBody)
	}
	pub, err := mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: r.cfg.MgmtURL, MgmtID: r.cfg.MgmtID, Roots: r.roots,
		Key: r.cfg.Key, Cert: r.cfg.Cert, CRL: r.directory.CRLHolder(), HTTP: &http.Client{Transport: r.mgmtTransport, Timeout: r.cfg.Timeout},
		Trace: trace, Now: r.cfg.Now})
	if err != nil {
		return fail(ClassOther, "internal", "", "%v", err), nil
	}
	ctx, cancel := r.step()
	defer cancel()
	resp, err := pub.Servers(ctx, api.ServersQuery{ServerIDs: []string{self}})
	if err != nil {
		return r.mgmtFailure("the signed directory query (M1)", err), m1
	}
	for _, rec := range resp.Servers {
		if rec.ServerID == self {
			return ok("a signed M1 query was answered and authenticated; it lists you (%s) with status %d", self, rec.Status), m1
		}
	}
	return warn("not_listed", "your registration must be approved before peers accept your calls (imictl register status)",
		"a signed M1 query was answered and authenticated, but it does not list you (%s)", self), m1
}

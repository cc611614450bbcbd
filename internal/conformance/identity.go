package conformance

import (
	"context"
	"fmt"
	"net/http"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/api"
	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// Directory returns the Verify options of a suite that authenticates the
// target's answers through the management server at mgmtURL: M1 and M2
// (signed as key and cert), and its CRL, fetched once now. insecureNoCRL
// skips revocation.
func Directory(ctx context.Context, mgmtURL string, roots *smx509.CertPool, key *sm2.PrivateKey, cert *smx509.Certificate, hc *http.Client, insecureNoCRL bool) (httpsig.Options, error) {
	pub, err := mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: mgmtURL, Roots: roots, Key: key, Cert: cert, HTTP: hc})
	if err != nil {
		return httpsig.Options{}, err
	}
	opts := httpsig.Options{Roots: roots, Resolver: httpsig.NewCachingResolver(pub, httpsig.CacheOptions{}), NoRevocationCheck: insecureNoCRL}
	if !insecureNoCRL {
		if err := pub.CRLHolder().Refresh(ctx); err != nil {
			return httpsig.Options{}, fmt.Errorf("fetching the CRL of %s: %w", mgmtURL, err)
		}
		opts.CRL = pub.CRLHolder()
	}
	return opts, nil
}

// Approver decides an application at the management server; only a
// party with its admin API (a local administrator, a test) can.
type Approver func(ctx context.Context, requestID string) error

// Register gives serverID an identity at the management server at
// mgmtURL, whose root is root: a new key, an application naming address
// as the server's address, approve, and the certificate it issued.
func Register(ctx context.Context, mgmtURL string, root *smx509.Certificate, serverID, address string, approve Approver) (*sm2.PrivateKey, *smx509.Certificate, error) {
	key, err := pki.GenerateKey()
	if err != nil {
		return nil, nil, err
	}
	csr, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: serverID, ServerName: serverID})
	if err != nil {
		return nil, nil, err
	}
	pub, err := mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: mgmtURL, Root: root, Key: key, ServerID: serverID})
	if err != nil {
		return nil, nil, err
	}
	reqID, err := pub.Submit(ctx, api.SubmitRequest{ServerID: serverID, ServerName: serverID, ServerAddress: address,
		ContactName: "imictl conformance", ContactEmail: "root@localhost", ContactMobile: "000", OwnerID: serverID,
		CSR: string(pki.EncodeCSRPEM(csr))})
	if err != nil {
		return nil, nil, fmt.Errorf("applying for %s at %s: %w", serverID, mgmtURL, err)
	}
	if err := approve(ctx, reqID); err != nil {
		return nil, nil, fmt.Errorf("approving %s (%s): %w", serverID, reqID, err)
	}
	st, err := pub.Status(ctx, reqID)
	if err != nil {
		return nil, nil, fmt.Errorf("fetching the certificate of %s (%s): %w", serverID, reqID, err)
	}
	if st.Status != api.RequestApproved || st.ServerCert == "" {
		return nil, nil, fmt.Errorf("application %s of %s is %s, not approved with a certificate", reqID, serverID, st.Status)
	}
	cert, err := pki.ParseCertificatePEM([]byte(st.ServerCert))
	if err != nil {
		return nil, nil, fmt.Errorf("the certificate issued to %s: %w", serverID, err)
	}
	return key, cert, nil
}

// Retire cancels the registration of the server key and cert are the
// identity of (a throwaway one that Register made): a cancellation signed
// by it, which approve decides. Its certificate is revoked and its
// serverId never used again, and the management server stops notifying
// it of changes.
func Retire(ctx context.Context, mgmtURL string, root *smx509.Certificate, key *sm2.PrivateKey, cert *smx509.Certificate, approve Approver) error {
	serverID, err := pki.ServerIDFromCertificate(cert)
	if err != nil {
		return err
	}
	pub, err := mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: mgmtURL, Root: root, Key: key, Cert: cert})
	if err != nil {
		return err
	}
	reqID, err := pub.Cancel(ctx, api.CancelRequest{ServerID: serverID, Reason: "imictl conformance: a throwaway identity, done"})
	if err != nil {
		return fmt.Errorf("cancelling %s at %s: %w", serverID, mgmtURL, err)
	}
	if err := approve(ctx, reqID); err != nil {
		return fmt.Errorf("approving the cancellation of %s (%s): %w", serverID, reqID, err)
	}
	return nil
}

package client

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// RemoteOptions say how to reach a management server's remote admin API
// (serve --admin-addr) as an administrator.
type RemoteOptions struct {
	// URL is the remote admin API's base, e.g. https://mgmt.example.com:8441.
	URL string
	// Key and Cert are the administrator's: the certificate from `imictl
	// ca sign --admin`, whose serial is the keyid of every request.
	Key  *sm2.PrivateKey
	Cert *smx509.Certificate
	// Roots authenticate the management server's answers (its certificate
	// must chain to one of them, not revoked).
	Roots *smx509.CertPool
	// HTTP is the client underneath (timeouts, TLS roots for https);
	// default one with a 30 second timeout. Its Transport carries the
	// signed calls.
	HTTP *http.Client
	// Now is the clock of signatures and checks; default time.Now.
	Now func() time.Time
}

// DialRemote returns an Admin that signs every call with o.Key as the
// administrator of o.Cert and authenticates every answer. It first fetches
// the management server's certificate and CRL (mgmt.AdminTrust) and
// checks them against o.Roots, so that a wrong URL or root fails here.
func DialRemote(ctx context.Context, o RemoteOptions) (*Admin, error) {
	base := strings.TrimRight(o.URL, "/")
	if !ids.IsBaseURL(base) {
		return nil, fmt.Errorf("the remote admin URL %q: want http(s)://host:port, like https://mgmt.example.com:8441", o.URL)
	}
	switch {
	case o.Key == nil || o.Cert == nil:
		return nil, errors.New("a remote admin call is signed: give the administrator's key and certificate (--admin-key, --admin-cert)")
	case o.Roots == nil:
		return nil, errors.New("a remote admin call authenticates the server's answer: give the interconnection root (--root)")
	}
	if pub, ok := o.Cert.PublicKey.(*ecdsa.PublicKey); !ok || !o.Key.PublicKey.Equal(pub) {
		return nil, errors.New("the administrator key does not match the administrator certificate: give the key its CSR was made with")
	}
	if _, err := pki.AdminNameFromCertificate(o.Cert); err != nil {
		return nil, &pki.CertError{Reason: pki.ReasonNotAdmin, Err: err}
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	trust, err := fetchTrust(ctx, o, base)
	if err != nil {
		return nil, err
	}
	keyid := pki.SerialHex(o.Cert.SerialNumber)
	signer, err := httpsig.NewKeySigner(o.Key, keyid)
	if err != nil {
		return nil, err
	}
	signer.SetClock(o.Now)
	verifier, err := httpsig.NewVerifier(httpsig.Options{
		Self:     keyid,
		Resolver: httpsig.StaticResolver{trust.id: {ServerID: trust.id, Status: httpsig.StatusNormal, Certificate: trust.cert, Address: base}},
		Roots:    o.Roots,
		CRL:      fixedCRL{trust.crl},
		Now:      o.Now,
	})
	if err != nil {
		return nil, err
	}
	rt := o.HTTP.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc := *o.HTTP
	hc.Transport = &httpsig.Transport{Base: rt, Signer: signer, Verifier: verifier, Destination: trust.id, MaxResponseBody: maxAdminAnswer}
	return &Admin{base: base, where: "the remote admin API at " + base, remote: true, http: &hc}, nil
}

// trusted is the management server as AdminTrust presented it, checked.
type trusted struct {
	id   string
	cert *smx509.Certificate
	crl  *smx509.RevocationList
}

func fetchTrust(ctx context.Context, o RemoteOptions, base string) (*trusted, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+mgmt.AdminTrust, nil)
	if err != nil {
		return nil, err
	}
	resp, err := o.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the remote admin API at %s: %w", base, err)
	}
	data, err := readAnswer(resp, maxAnswer, base+mgmt.AdminTrust)
	if err != nil {
		return nil, err
	}
	var info mgmt.AdminTrustInfo
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &info) != nil || info.Certificate == nil {
		return nil, fmt.Errorf("%s answers HTTP %d without the management server's certificate: is it the remote admin API (serve --admin-addr)?", base, resp.StatusCode)
	}
	cert, err := smx509.ParseCertificate(info.Certificate)
	if err != nil {
		return nil, fmt.Errorf("the management server's certificate from %s: %w", base, err)
	}
	crl, err := smx509.ParseRevocationList(info.CRL)
	if err != nil {
		return nil, fmt.Errorf("the CRL from %s: %w", base, err)
	}
	// The CRL's signature and freshness are checked here, against the
	// certificate's issuer.
	if err := pki.VerifyCertificate(cert, pki.VerifyOptions{Roots: o.Roots, CRL: crl, ServerID: info.ServerID, Now: o.Now()}); err != nil {
		return nil, fmt.Errorf("the management server at %s is not one --root vouches for: %w", base, err)
	}
	return &trusted{id: info.ServerID, cert: cert, crl: crl}, nil
}

// fixedCRL is the CRL fetched with the trust information: an admin command
// runs for seconds, well within its validity.
type fixedCRL struct{ crl *smx509.RevocationList }

func (f fixedCRL) Current() (*smx509.RevocationList, error) { return f.crl, nil }

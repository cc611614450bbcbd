package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// PublicOptions configure a Public client.
type PublicOptions struct {
	// BaseURL of the management server, e.g. http://127.0.0.1:8440.
	BaseURL string
	// MgmtID is the management server's serverId; default center-im.
	MgmtID string
	// Root is the pinned interconnection root (imictl dir bootstrap). It
	// is required for signed calls, whose answers are authenticated with
	// the management server's certificate chained to it, and makes
	// ServerCert and CRL check what they fetch.
	Root *smx509.Certificate
	// Key signs: with Cert, as that registered server (Modify, Cancel,
	// Servers, Status); without, as ServerID (an applicant: Status only).
	Key      *sm2.PrivateKey
	Cert     *smx509.Certificate
	ServerID string
	// HTTP is the client underneath (timeouts, TLS); default one with a
	// 30 second timeout. Its Transport carries the signed calls too.
	HTTP *http.Client
}

// Public calls the management server's public API (docs/PROTOCOL.md,
// section 5). It is safe for concurrent use.
type Public struct {
	o PublicOptions

	mu     sync.Mutex
	signed *http.Client // built on the first signed call
}

// NewPublic checks o and returns a client.
func NewPublic(o PublicOptions) (*Public, error) {
	if o.BaseURL == "" {
		return nil, errors.New("client: the management server's URL is required (--mgmt URL)")
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.MgmtID == "" {
		o.MgmtID = ca.DefaultServerID
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	return &Public{o: o}, nil
}

// maxAnswer bounds unsigned answers (the signed ones are bounded by the
// httpsig Transport).
const maxAnswer = 16 << 20

// Root fetches the root certificate, unauthenticated: pin it only after
// checking its fingerprint (Bootstrap).
func (p *Public) Root(ctx context.Context) (*smx509.Certificate, []byte, error) {
	data, err := p.get(ctx, mgmt.PathRoot)
	if err != nil {
		return nil, nil, err
	}
	cert, err := pki.ParseCertificatePEM(data)
	if err != nil {
		return nil, nil, fmt.Errorf("the root served by %s: %w", p.o.BaseURL, err)
	}
	return cert, data, nil
}

// ErrFingerprintMismatch: the root served is not the one expected.
var ErrFingerprintMismatch = errors.New("the root certificate's fingerprint does not match")

// Bootstrap fetches the root and accepts it only if its SHA-256 or SM3
// fingerprint (of the DER, any encoding pki.ParseFingerprint reads) is
// fingerprint and it is a self-signed CA certificate. It returns the
// root and its PEM, to be written where the identity's root is kept.
func (p *Public) Bootstrap(ctx context.Context, fingerprint string) (*smx509.Certificate, []byte, error) {
	want, err := pki.ParseFingerprint(fingerprint)
	if err != nil {
		return nil, nil, err
	}
	cert, data, err := p.Root(ctx)
	if err != nil {
		return nil, nil, err
	}
	sha := sha256.Sum256(cert.Raw)
	if !bytes.Equal(want, sha[:]) && !bytes.Equal(want, pki.FingerprintSM3(cert.Raw)) {
		got, _ := pki.FormatFingerprint(sha[:], "colon")
		return nil, nil, fmt.Errorf("%w: %s serves a root with SHA-256 %s; check the fingerprint you were given, and the URL", ErrFingerprintMismatch, p.o.BaseURL, got)
	}
	if !cert.IsCA || cert.CheckSignatureFrom(cert) != nil {
		return nil, nil, fmt.Errorf("%s serves a certificate that is not a self-signed CA certificate", p.o.BaseURL)
	}
	return cert, data, nil
}

// ServerCert is M2: the current certificate of serverID (any status).
// With a Root it must chain to it and name serverID (revocation is not
// checked here: see CRL).
func (p *Public) ServerCert(ctx context.Context, serverID string) (*smx509.Certificate, error) {
	var resp api.GetServerCertResponse
	if err := p.call(ctx, p.o.HTTP, mgmt.PathServerCert, api.GetServerCertRequest{ServerID: serverID}, &resp); err != nil {
		return nil, err
	}
	cert, err := pki.ParseCertificatePEM([]byte(resp.ServerCert))
	if err != nil {
		return nil, fmt.Errorf("the certificate of %q served by %s: %w", serverID, p.o.BaseURL, err)
	}
	if p.o.Root != nil {
		if err := pki.VerifyCertificate(cert, pki.VerifyOptions{Roots: p.roots(), ServerID: serverID}); err != nil {
			return nil, fmt.Errorf("the certificate of %q served by %s: %w", serverID, p.o.BaseURL, err)
		}
	}
	return cert, nil
}

// CRL fetches the current CRL (DER). With a Root its signature must verify
// with it.
func (p *Public) CRL(ctx context.Context) (*smx509.RevocationList, []byte, error) {
	der, err := p.get(ctx, mgmt.PathCRL)
	if err != nil {
		return nil, nil, err
	}
	crl, err := pki.ParseCRL(der)
	if err != nil {
		return nil, nil, fmt.Errorf("the CRL served by %s: %w", p.o.BaseURL, err)
	}
	if p.o.Root != nil {
		if err := crl.CheckSignatureFrom(p.o.Root); err != nil {
			return nil, nil, fmt.Errorf("the CRL served by %s is not signed by the pinned root: %w", p.o.BaseURL, err)
		}
	}
	return crl, der, nil
}

// FetchCRL implements httpsig.CRLSource.
func (p *Public) FetchCRL(ctx context.Context) (*smx509.RevocationList, error) {
	crl, _, err := p.CRL(ctx)
	return crl, err
}

// Submit applies for registration; it needs no identity (the CSR proves
// the key). It returns the requestId to follow with Status.
func (p *Public) Submit(ctx context.Context, req api.SubmitRequest) (string, error) {
	var resp api.RequestIDResponse
	if err := p.call(ctx, p.o.HTTP, mgmt.PathSubmit, req, &resp); err != nil {
		return "", err
	}
	return resp.RequestID, nil
}

// Modify applies to change the registration, signed as the server.
func (p *Public) Modify(ctx context.Context, req api.ModifyRequest) (string, error) {
	return p.signedApplication(ctx, mgmt.PathModify, req)
}

// Cancel applies to cancel the registration for good, signed as the server.
func (p *Public) Cancel(ctx context.Context, req api.CancelRequest) (string, error) {
	return p.signedApplication(ctx, mgmt.PathCancel, req)
}

func (p *Public) signedApplication(ctx context.Context, path string, req any) (string, error) {
	if p.o.Cert == nil {
		return "", errors.New("client: this call is signed with the server's certificate: give --cert (an applicant without one can only follow its registration with status)")
	}
	hc, err := p.signedClient(ctx)
	if err != nil {
		return "", err
	}
	var resp api.RequestIDResponse
	if err := p.call(ctx, hc, path, req, &resp); err != nil {
		return "", err
	}
	return resp.RequestID, nil
}

// Status follows an application, signed with Key (the CSR's key before
// the server has a certificate).
func (p *Public) Status(ctx context.Context, requestID string) (api.StatusResponse, error) {
	var resp api.StatusResponse
	hc, err := p.signedClient(ctx)
	if err != nil {
		return resp, err
	}
	err = p.call(ctx, hc, mgmt.PathStatus, api.StatusRequest{RequestID: requestID}, &resp)
	return resp, err
}

// WaitDecided polls Status every interval until the application is
// decided or ctx ends (then it returns the last answer with ctx's error).
func (p *Public) WaitDecided(ctx context.Context, requestID string, interval time.Duration) (api.StatusResponse, error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		st, err := p.Status(ctx, requestID)
		if err != nil || st.Status != api.RequestPending {
			return st, err
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-t.C:
		}
	}
}

// Servers is M1, the directory, signed as a registered server.
func (p *Public) Servers(ctx context.Context, q api.ServersQuery) (api.ServersResponse, error) {
	var resp api.ServersResponse
	if p.o.Cert == nil {
		return resp, errors.New("client: the directory is for registered servers: give --cert")
	}
	hc, err := p.signedClient(ctx)
	if err != nil {
		return resp, err
	}
	err = p.call(ctx, hc, mgmt.PathServers, q, &resp)
	return resp, err
}

func (p *Public) roots() *smx509.CertPool {
	pool := smx509.NewCertPool()
	pool.AddCert(p.o.Root)
	return pool
}

// signedClient builds, once, the client that signs as our identity and
// authenticates the answers with the management server's certificate,
// fetched with M2 and checked against the root and the CRL.
func (p *Public) signedClient(ctx context.Context) (*http.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.signed != nil {
		return p.signed, nil
	}
	if p.o.Root == nil {
		return nil, errors.New("client: signed calls need the pinned root to authenticate the management server (--root, or imictl dir bootstrap)")
	}
	if p.o.Key == nil {
		return nil, errors.New("client: signed calls need the server's private key (--key)")
	}
	var signer *httpsig.Signer
	var err error
	if p.o.Cert != nil {
		signer, err = httpsig.NewSigner(p.o.Key, p.o.Cert)
	} else {
		signer, err = httpsig.NewKeySigner(p.o.Key, p.o.ServerID)
	}
	if err != nil {
		return nil, err
	}
	mgmtCert, err := p.ServerCert(ctx, p.o.MgmtID)
	if err != nil {
		return nil, err
	}
	crls := httpsig.NewCRLHolder(p, httpsig.CRLOptions{})
	if err := crls.Refresh(ctx); err != nil {
		return nil, err
	}
	verifier, err := httpsig.NewVerifier(httpsig.Options{
		Self:     signer.ServerID(),
		Resolver: httpsig.StaticResolver{p.o.MgmtID: {ServerID: p.o.MgmtID, Status: httpsig.StatusNormal, Certificate: mgmtCert}},
		Roots:    p.roots(),
		CRL:      crls,
	})
	if err != nil {
		return nil, err
	}
	base := p.o.HTTP.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc := *p.o.HTTP
	hc.Transport = &httpsig.Transport{Base: base, Signer: signer, Verifier: verifier, Destination: p.o.MgmtID}
	p.signed = &hc
	return p.signed, nil
}

// get fetches an unauthenticated resource (root, CRL).
func (p *Public) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.o.BaseURL+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.o.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, refusal(resp.StatusCode, data, p.o.BaseURL+path)
	}
	return data, nil
}

// call POSTs body as JSON with hc and decodes a successful answer into out.
func (p *Public) call(ctx context.Context, hc *http.Client, path string, body any, out answer) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.o.BaseURL+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json;charset=utf-8")
	resp, err := hc.Do(req)
	if err != nil {
		return refusedByMgmt(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return refusal(resp.StatusCode, data, p.o.BaseURL+path)
	}
	// One pass over the body: out embeds the envelope (a directory answer
	// is megabytes).
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: unreadable answer: %w", p.o.BaseURL+path, err)
	}
	if !out.Succeeded() {
		return refusal(resp.StatusCode, data, p.o.BaseURL+path)
	}
	return nil
}

// answer is a response type of package api: it embeds api.Envelope.
type answer interface{ Succeeded() bool }

// refusal reads the management envelope of a failed call.
func refusal(status int, body []byte, where string) error {
	var env api.Envelope
	if json.Unmarshal(body, &env) == nil && env.Reason != "" {
		return &mgmt.Error{Reason: env.Reason, Desc: env.Desc, Status: status}
	}
	if status == http.StatusOK {
		return fmt.Errorf("%s answered code %q: %s", where, env.Code, env.Desc)
	}
	return fmt.Errorf("%s: HTTP %d: %s", where, status, bytes.TrimSpace(body[:min(len(body), 512)]))
}

// refusedByMgmt turns an authenticated refusal that the signing transport
// reported as an *httpsig.AuthError back into a *mgmt.Error when its reason
// is the management server's own (a refused application, not a failed
// authentication).
func refusedByMgmt(err error) error {
	var ae *httpsig.AuthError
	if errors.As(err, &ae) && ae.Reported && ae.Unverified == "" && mgmt.KnownReason(string(ae.Reason)) {
		return &mgmt.Error{Reason: string(ae.Reason), Desc: ae.Message, Status: ae.Status}
	}
	return err
}

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

	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/lenient"
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
	// Root is the pinned interconnection root (imictl dir bootstrap). A
	// root (Root or Roots) is required for signed calls, whose answers are
	// authenticated with the management server's certificate chained to
	// it, and makes ServerCert check what it fetches. Root also makes CRL
	// check the CRL's signature.
	Root *smx509.Certificate
	// Roots is the pool of trusted roots when the caller has a pool rather
	// than one certificate (an identity's root file may hold several). The
	// CRL's signature is then checked where it is used (pki).
	Roots *smx509.CertPool
	// Key signs: with Cert, as that registered server (Modify, Cancel,
	// Servers, Status, Resolve); without, as ServerID (an applicant:
	// Status only).
	Key      *sm2.PrivateKey
	Cert     *smx509.Certificate
	ServerID string
	// CRL holds the CRL the management server's certificate is checked
	// against. Give the holder the rest of the process uses (a verifier
	// resolving peers through this client, an IM server's), so that one
	// CRL is fetched and kept current; by default Public has its own, fed
	// by FetchCRL. Either way Public fetches it again before a signed call
	// when the one held is missing or stale, and Run keeps it current.
	CRL *httpsig.CRLHolder
	// HTTP is the client underneath (timeouts, TLS); default one with a
	// 30 second timeout. Its Transport carries the signed calls too.
	HTTP *http.Client
	// Trace, when set, sees every exchange (for --verbose).
	Trace TraceFunc
	// Now is the clock of signatures, certificate and CRL checks; default
	// time.Now.
	Now func() time.Time
}

// Public calls the management server's public API (docs/PROTOCOL.md,
// section 5): the applicant calls, the directory (M1), certificates (M2),
// the CRL and the root. It is also the directory of a verifier: Resolve
// makes it an httpsig.Resolver (put a CachingResolver in front of it) and
// FetchCRL an httpsig.CRLSource. It is safe for concurrent use, and for
// the life of a long-running process: the certificate and CRL that
// authenticate the management server's answers are fetched again as they
// age (docs/PROTOCOL.md, section 7).
type Public struct {
	o     PublicOptions
	roots *smx509.CertPool // nil without a root: unsigned calls only
	http  *http.Client     // o.HTTP, traced when o.Trace is set
	crls  *httpsig.CRLHolder

	mu     sync.Mutex
	signed *signedState // built on the first signed call
	self   *mgmtCert    // the management server's certificate (M2)

	crlMu sync.Mutex // one CRL fetch at a time (freshCRL)
}

// NewPublic checks o and returns a client. It makes no call yet.
func NewPublic(o PublicOptions) (*Public, error) {
	if o.BaseURL == "" {
		return nil, errors.New("client: the management server's URL is required (--mgmt URL)")
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if !ids.IsBaseURL(o.BaseURL) {
		return nil, fmt.Errorf("client: the management server's URL %q: want http(s)://host[:port][/path], like http://127.0.0.1:8440", o.BaseURL)
	}
	if o.MgmtID == "" {
		o.MgmtID = ca.DefaultServerID
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	p := &Public{o: o, http: o.HTTP, roots: o.Roots, crls: o.CRL}
	if o.Root != nil {
		p.roots = smx509.NewCertPool()
		p.roots.AddCert(o.Root)
	}
	if o.Trace != nil {
		base := o.HTTP.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		hc := *o.HTTP
		hc.Transport = &tracer{base: base, trace: o.Trace}
		p.http = &hc
	}
	if p.crls == nil {
		p.crls = httpsig.NewCRLHolder(p, httpsig.CRLOptions{Now: o.Now})
	}
	return p, nil
}

// maxAnswer bounds every answer read (a directory is megabytes at most).
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
// With a root it must chain to it, be valid now and name serverID
// (revocation is not checked here: see CRL).
func (p *Public) ServerCert(ctx context.Context, serverID string) (*smx509.Certificate, error) {
	var resp api.GetServerCertResponse
	if err := p.call(ctx, nil, mgmt.PathServerCert, api.GetServerCertRequest{ServerID: serverID}, &resp); err != nil {
		return nil, err
	}
	cert, err := pki.ParseCertificatePEM([]byte(resp.ServerCert))
	if err != nil {
		return nil, fmt.Errorf("the certificate of %q served by %s: %w", serverID, p.o.BaseURL, err)
	}
	if p.roots != nil {
		if err := pki.VerifyCertificate(cert, pki.VerifyOptions{Roots: p.roots, ServerID: serverID, Now: p.o.Now()}); err != nil {
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
	if err := p.call(ctx, nil, mgmt.PathSubmit, req, &resp); err != nil {
		return "", err
	}
	return resp.RequestID, nil
}

// get fetches an unauthenticated resource (root, CRL).
func (p *Public) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.o.BaseURL+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, err
	}
	data, err := readAnswer(resp, maxAnswer, p.o.BaseURL+path)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, refusal(resp.StatusCode, data, p.o.BaseURL+path)
	}
	return data, nil
}

// call POSTs body as JSON and decodes a successful answer into out:
// unsigned with s nil, else signed and authenticated (signed.go).
func (p *Public) call(ctx context.Context, s *signedState, path string, body any, out answer) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.o.BaseURL+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json;charset=utf-8")
	var resp *http.Response
	var data []byte
	if s == nil {
		if resp, err = p.http.Do(req); err == nil {
			data, err = readAnswer(resp, maxAnswer, req.URL.String())
		}
	} else {
		resp, data, err = p.exchange(ctx, s, req)
	}
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return refusal(resp.StatusCode, data, p.o.BaseURL+path)
	}
	// One pass over the body: out embeds the envelope (a directory answer
	// is megabytes).
	if err := lenient.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: unreadable answer: %w", p.o.BaseURL+path, err)
	}
	if !out.Succeeded() {
		return refusal(resp.StatusCode, data, p.o.BaseURL+path)
	}
	return nil
}

// readAnswer reads and closes resp's body, refusing more than max bytes
// rather than handing a truncated answer to the JSON decoder.
func readAnswer(resp *http.Response, max int, where string) ([]byte, error) {
	defer resp.Body.Close()
	// Read into a buffer of the announced size at once rather than
	// doubling one up to it: a directory answer is megabytes.
	size := resp.ContentLength
	if size < 0 || size > int64(max) {
		size = 0
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, int64(max)+1))
	data := buf.Bytes()
	if err != nil {
		return nil, err
	}
	if len(data) > max {
		return nil, fmt.Errorf("%s: the answer exceeds %d bytes", where, max)
	}
	return data, nil
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

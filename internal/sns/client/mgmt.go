package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// Management server paths this file calls.
const (
	PathServers    = "/sns/restApi/managerserver/servers" // M1, signed
	PathServerCert = "/sns/restApi/getservercert"         // M2, unauthenticated
	PathCRL        = "/sns/restApi/crl"                   // the CA's CRL, unauthenticated (it is signed itself)
)

// DefaultMgmtID is the management server's serverId unless configured
// otherwise (docs/PROTOCOL.md §1).
const DefaultMgmtID = "center-im"

// MgmtConfig configures a Directory.
type MgmtConfig struct {
	BaseURL  string // the management server, e.g. http://127.0.0.1:8440
	ServerID string // its serverId; default DefaultMgmtID
	Signer   *httpsig.Signer
	// Verify authenticates the management server's answers: Roots, and CRL
	// or NoRevocationCheck. Its Resolver is set by the Directory (the
	// management server's own certificate, fetched with M2).
	Verify  httpsig.Options
	Base    http.RoundTripper // default as in Config
	Timeout time.Duration     // per call; default 30 seconds
	Trace   TraceFunc
}

// Directory finds servers through the management server: their record
// (status, address) with a signed M1 query, and their certificate with M2.
// It is an httpsig.Resolver (put a CachingResolver in front of it) and an
// httpsig.CRLSource.
//
// This is the minimum `imictl sns` and the IM server need; the full
// management client lives in internal/mgmt/client.
type Directory struct {
	cfg MgmtConfig

	mu   sync.Mutex
	self *httpsig.ServerInfo // the management server, once fetched
	c    *Client             // signed calls to it
}

// NewDirectory checks cfg and returns a Directory; it makes no call yet.
func NewDirectory(cfg MgmtConfig) (*Directory, error) {
	if cfg.Signer == nil {
		return nil, fmt.Errorf("client: MgmtConfig.Signer is required: directory queries are signed")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if err := checkBaseURL(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("management server: %w", err)
	}
	if cfg.ServerID == "" {
		cfg.ServerID = DefaultMgmtID
	}
	if cfg.Base == nil {
		cfg.Base = defaultTransport()
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Directory{cfg: cfg}, nil
}

// Resolve implements httpsig.Resolver.
func (d *Directory) Resolve(ctx context.Context, serverID string) (*httpsig.ServerInfo, error) {
	c, self, err := d.client(ctx)
	if err != nil {
		return nil, err
	}
	if serverID == self.ServerID {
		return self, nil
	}
	body, err := json.Marshal(api.ServersQuery{ServerIDs: []string{serverID}})
	if err != nil {
		return nil, err
	}
	raw, err := c.Call(ctx, Peer{ServerID: self.ServerID, BaseURL: d.cfg.BaseURL}, http.MethodPost, PathServers, body)
	if err != nil {
		return nil, fmt.Errorf("directory query (M1) for %q: %w", serverID, err)
	}
	var r api.ServersResponse
	if err := json.Unmarshal(raw.Body, &r); err != nil {
		return nil, fmt.Errorf("directory query (M1) for %q: the answer is not a server list: %w", serverID, err)
	}
	for _, rec := range r.Servers {
		if rec.ServerID != serverID {
			continue
		}
		info := &httpsig.ServerInfo{ServerID: serverID, Status: rec.Status, Address: rec.ServerAddress}
		cert, err := d.ServerCert(ctx, serverID)
		if err != nil && rec.Status != api.ServerCancelled {
			return nil, err
		}
		info.Certificate = cert
		return info, nil
	}
	return nil, fmt.Errorf("%w %q: the management server at %s does not list it", httpsig.ErrUnknownServer, serverID, d.cfg.BaseURL)
}

// client returns the signed client for the management server, fetching its
// certificate the first time.
func (d *Directory) client(ctx context.Context) (*Client, *httpsig.ServerInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.c != nil {
		return d.c, d.self, nil
	}
	cert, err := d.ServerCert(ctx, d.cfg.ServerID)
	if err != nil {
		return nil, nil, err
	}
	self := &httpsig.ServerInfo{ServerID: d.cfg.ServerID, Status: httpsig.StatusNormal, Certificate: cert, Address: d.cfg.BaseURL}
	verify := d.cfg.Verify
	verify.Resolver = httpsig.StaticResolver{d.cfg.ServerID: self}
	c, err := New(Config{Signer: d.cfg.Signer, Verify: verify, Base: d.cfg.Base, Timeout: d.cfg.Timeout, Trace: d.cfg.Trace})
	if err != nil {
		return nil, nil, err
	}
	d.c, d.self = c, self
	return c, self, nil
}

// ServerCert fetches serverID's certificate (M2). The call is
// unauthenticated: the certificate is trusted only once it verifies
// against the root, which the verifier does before using it.
func (d *Directory) ServerCert(ctx context.Context, serverID string) (*smx509.Certificate, error) {
	body, err := json.Marshal(api.GetServerCertRequest{ServerID: serverID})
	if err != nil {
		return nil, err
	}
	data, err := d.plain(ctx, http.MethodPost, PathServerCert, body)
	if err != nil {
		return nil, fmt.Errorf("fetching the certificate of %q (M2): %w", serverID, err)
	}
	var r api.GetServerCertResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("fetching the certificate of %q (M2): the answer is not the envelope: %w", serverID, err)
	}
	if !r.Succeeded() {
		return nil, fmt.Errorf("fetching the certificate of %q (M2): the management server says %q (code %s, reason %q)", serverID, r.Desc, r.Code, r.Reason)
	}
	cert, err := pki.ParseCertificatePEM([]byte(r.ServerCert))
	if err != nil {
		return nil, fmt.Errorf("the certificate of %q (M2): %w", serverID, err)
	}
	return cert, nil
}

// FetchCRL implements httpsig.CRLSource: the CA's current CRL, whose
// signature pki checks against the issuer when it is used.
func (d *Directory) FetchCRL(ctx context.Context) (*smx509.RevocationList, error) {
	data, err := d.plain(ctx, http.MethodGet, PathCRL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching the CRL: %w", err)
	}
	crl, err := pki.ParseCRL(data)
	if err != nil {
		return nil, fmt.Errorf("the CRL from %s%s: %w", d.cfg.BaseURL, PathCRL, err)
	}
	return crl, nil
}

// maxPlainAnswer bounds unauthenticated answers (a certificate, a CRL).
const maxPlainAnswer = 8 << 20

// plain makes an unsigned call and returns the body of a 200 answer.
func (d *Directory) plain(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	url := d.cfg.BaseURL + path
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json;charset=utf-8")
	}
	resp, err := d.cfg.Base.RoundTrip(req)
	if err != nil {
		if d.cfg.Trace != nil {
			d.cfg.Trace(req, body, nil, nil)
		}
		return nil, &UnreachableError{Peer: "the management server", URL: url, Err: err}
	}
	data, err := readBody(resp, maxPlainAnswer)
	if d.cfg.Trace != nil {
		d.cfg.Trace(req, body, resp, data)
	}
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s answered HTTP %d", method, url, resp.StatusCode)
	}
	return data, nil
}

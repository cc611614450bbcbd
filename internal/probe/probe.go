package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// TraceFunc sees every HTTP exchange of the probe (for --verbose): the
// request as sent, signature headers included, and the answer (nil when
// there was none).
type TraceFunc func(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte)

// Config is who probes, whom it trusts, and how long it waits.
type Config struct {
	// Key and Cert are our identity. Without Cert (an applicant), only the
	// management server can be probed, without its signed directory.
	Key      *sm2.PrivateKey
	Cert     *smx509.Certificate
	ServerID string // our serverId when Cert is nil
	// Roots are the pinned interconnection roots.
	Roots []*smx509.Certificate
	// MgmtURL is the management server's base URL; MgmtID its serverId
	// (default center-im).
	MgmtURL string
	MgmtID  string
	// Policy is our own white/black list, nil when unknown.
	Policy *httpsig.Policy
	// TLSRoots verify the peers' TLS certificates; nil: the system's.
	TLSRoots *x509.CertPool
	// Timeout bounds each network step; default 10 seconds.
	Timeout time.Duration
	Trace   TraceFunc
	Now     func() time.Time // default time.Now
}

// DefaultTimeout bounds each network step of a probe.
const DefaultTimeout = 10 * time.Second

// Prefix is where the probe finds the peer's interfaces.
const Prefix = "/sns"

// run is one probe: its configuration, what the checks learned so far,
// and the report.
type run struct {
	ctx    context.Context
	cfg    Config
	rep    *Report
	signer *httpsig.Signer
	roots  *smx509.CertPool
	// directory answers M1, signed and authenticated; plain fetches M2
	// and the CRL without checking them, for the checks to say what is
	// wrong with them.
	directory, plain *mgmtclient.Public
	mgmtTransport    *http.Transport // theirs; its connections are closed at the end
	firstFail        string          // the first failed check

	serverID   string            // the peer's serverId, once known
	record     *api.ServerRecord // its directory record, once looked up
	base       *url.URL          // the base URL probed
	hosts      []string          // host:port to connect to, once resolved
	claimed    string            // the serverId the answer to an unsigned request named
	cert       *smx509.Certificate
	crl        *smx509.RevocationList
	signed     *answer // the answer to the signed call, when there was one
	servedRoot []byte  // the PEM the management server serves as its root
}

func newRun(ctx context.Context, cfg Config, target, kind string) (*run, error) {
	if cfg.MgmtID == "" {
		cfg.MgmtID = ca.DefaultServerID
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(cfg.Roots) == 0 {
		return nil, errors.New("probe: the pinned root is required")
	}
	r := &run{ctx: ctx, cfg: cfg, rep: &Report{Target: target, Kind: kind, Checks: []Check{}}, roots: smx509.NewCertPool()}
	for _, c := range cfg.Roots {
		r.roots.AddCert(c)
	}
	var err error
	if cfg.Cert != nil {
		r.signer, err = httpsig.NewSigner(cfg.Key, cfg.Cert)
	} else {
		r.signer, err = httpsig.NewKeySigner(cfg.Key, cfg.ServerID)
	}
	if err != nil {
		return nil, err
	}
	r.signer.SetClock(cfg.Now)
	r.mgmtTransport = r.transport(true)
	hc := &http.Client{Transport: r.mgmtTransport, Timeout: cfg.Timeout}
	if r.directory, err = mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: cfg.MgmtURL, MgmtID: cfg.MgmtID, Roots: r.roots,
		Key: cfg.Key, Cert: cfg.Cert, ServerID: cfg.ServerID, HTTP: hc, Trace: mgmtclient.TraceFunc(cfg.Trace), Now: cfg.Now}); err != nil {
		return nil, err
	}
	if r.plain, err = mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: cfg.MgmtURL, MgmtID: cfg.MgmtID, HTTP: hc,
		Trace: mgmtclient.TraceFunc(cfg.Trace), Now: cfg.Now}); err != nil {
		return nil, err
	}
	return r, nil
}

// Peer probes the IM server target: a serverId, found through the
// directory, or a base URL, whose serverId the server's answers tell.
func Peer(ctx context.Context, cfg Config, target string) (*Report, error) {
	if cfg.Cert == nil {
		return nil, errors.New("probe: probing a peer needs our certificate: the peer only answers registered servers")
	}
	r, err := newRun(ctx, cfg, target, KindPeer)
	if err != nil {
		return nil, err
	}
	byURL := strings.Contains(target, "://")
	if byURL {
		r.add("address.directory", func() Check {
			return skipped("the target is a URL: the directory is asked once the server there names itself (identity.certificate)")
		})
		r.add("address.url", func() Check { return r.checkURL(target, "the target") })
	} else {
		r.serverID = target
		r.add("address.directory", r.checkDirectory)
		r.add("address.url", func() Check {
			if r.record == nil || r.firstFail != "" {
				return r.skippedAfter()
			}
			return r.checkURL(r.record.ServerAddress, "the directory's serverAddress")
		})
	}
	r.addressLayer()
	r.add("transport.tls", r.checkTLS)
	r.add("transport.http", r.checkPeerHTTP)
	r.identityLayer(byURL)
	r.add("signed.request", r.checkSignedRequest)
	r.add("signed.response", r.checkSignedResponse)
	r.add("clock.skew", func() Check { return r.checkClock(r.signed) })
	r.add("policy.status", r.checkStatus)
	r.add("policy.lists", r.checkLists)
	return r.report(), nil
}

// Mgmt probes the management server of cfg.
func Mgmt(ctx context.Context, cfg Config) (*Report, error) {
	r, err := newRun(ctx, cfg, cfg.MgmtURL, KindMgmt)
	if err != nil {
		return nil, err
	}
	r.serverID = r.cfg.MgmtID
	r.add("address.url", func() Check { return r.checkURL(cfg.MgmtURL, "the management server's URL") })
	r.addressLayer()
	r.add("transport.tls", r.checkTLS)
	r.add("transport.http", r.checkMgmtHTTP)
	r.add("mgmt.root", r.checkRoot)
	r.add("mgmt.crl", r.checkCRL)
	r.identityLayer(false)
	var m1 *answer
	r.add("mgmt.directory", func() Check {
		c, a := r.checkMgmtDirectory()
		m1 = a
		return c
	})
	r.add("clock.skew", func() Check { return r.checkClock(m1) })
	return r.report(), nil
}

func (r *run) addressLayer() {
	r.add("address.dns", r.checkDNS)
	r.add("address.tcp", r.checkTCP)
}

func (r *run) identityLayer(byURL bool) {
	r.add("identity.certificate", func() Check { return r.checkCertificate(byURL) })
	r.add("identity.chain", r.checkChain)
	r.add("identity.validity", r.checkValidity)
	r.add("identity.binding", r.checkBinding)
	r.add("identity.usage", r.checkUsage)
	r.add("identity.revocation", r.checkRevocation)
}

func (r *run) report() *Report {
	r.mgmtTransport.CloseIdleConnections()
	if r.base != nil {
		r.rep.URL = r.base.String()
	}
	r.rep.ServerID = r.serverID
	r.rep.finish()
	return r.rep
}

// add runs a check and records it.
func (r *run) add(id string, check func() Check) {
	c := check()
	c.ID, c.Layer = id, layerOf(id)
	if c.Status == StatusFail && r.firstFail == "" {
		r.firstFail = id
	}
	r.rep.Checks = append(r.rep.Checks, c)
}

// skippedAfter is the result of a check whose input an earlier check
// failed to provide.
func (r *run) skippedAfter() Check {
	if r.firstFail == "" {
		return skipped("not run: the checks before it found nothing for it to check")
	}
	return skipped("not run: %s failed", r.firstFail)
}

// step bounds one network operation.
func (r *run) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.ctx, r.cfg.Timeout)
}

// transport is how the probe makes HTTP calls: straight to the server (no
// proxy, no compression, no redirects followed), with HTTP/2 when http2.
func (r *run) transport(http2 bool) *http.Transport {
	t := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: r.cfg.Timeout}).DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: r.cfg.TLSRoots},
		TLSHandshakeTimeout:   r.cfg.Timeout,
		ResponseHeaderTimeout: r.cfg.Timeout,
		DisableCompression:    true,
		ForceAttemptHTTP2:     http2,
	}
	if !http2 {
		t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	return t
}

// endpoint is the URL of path under the base URL probed.
func (r *run) endpoint(path string) string {
	return strings.TrimRight(r.base.String(), "/") + path
}

// checkURL parses the base URL to probe.
func (r *run) checkURL(raw, what string) Check {
	s := strings.TrimRight(raw, "/")
	u, err := url.Parse(s)
	if err != nil || !ids.IsBaseURL(s) {
		return fail(ClassOther, "bad_url", "give a base URL like https://im.example.com or http://127.0.0.1:8441",
			"%s %q is not a base URL http(s)://host[:port][/path]", what, raw)
	}
	r.base = u
	return ok("%s %s: %s to %s, port %s", what, s, strings.ToUpper(u.Scheme), u.Hostname(), port(u))
}

// port is u's port, or the scheme's default.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

func (r *run) now() time.Time { return r.cfg.Now() }

func days(d time.Duration) string {
	n := int(d.Hours() / 24)
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d day", n)
	}
	return fmt.Sprintf("%d days", n)
}

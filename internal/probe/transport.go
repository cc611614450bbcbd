package probe

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// tlsWarnWithin is how close to its expiry a TLS certificate is a warning.
const tlsWarnWithin = 14 * 24 * time.Hour

// checkTLS makes a TLS handshake with the server, when its URL is https.
func (r *run) checkTLS() Check {
	if len(r.hosts) == 0 || r.firstFail != "" {
		return r.skippedAfter()
	}
	host := r.base.Hostname()
	if r.base.Scheme != "https" {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() || host == "localhost" {
			return skipped("plain HTTP on loopback: no TLS to check")
		}
		return warn("plain_http", "serve the interfaces over HTTPS when they cross a network",
			"plain HTTP: every call is still authenticated by its signatures (docs/PROTOCOL.md 3), but travels unencrypted")
	}
	ctx, cancel := r.step()
	defer cancel()
	d := &tls.Dialer{Config: &tls.Config{ServerName: host, RootCAs: r.cfg.TLSRoots, NextProtos: []string{"h2", "http/1.1"}}}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, port(r.base)))
	if err != nil {
		return tlsFailure(host, err)
	}
	defer conn.Close()
	st := conn.(*tls.Conn).ConnectionState()
	leaf := st.PeerCertificates[0]
	left := leaf.NotAfter.Sub(r.now())
	alpn := st.NegotiatedProtocol
	if alpn == "" {
		alpn = "none"
	}
	finding := fmt.Sprintf("%s, %s, ALPN %s; certificate for %s from %q, expires in %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite),
		alpn, strings.Join(tlsNames(leaf), ", "), leaf.Issuer.CommonName, days(left))
	switch {
	case st.Version < tls.VersionTLS12:
		return warn("tls_old", "enable TLS 1.2 or 1.3 on the server", "%s: older than TLS 1.2", finding)
	case left < tlsWarnWithin:
		return warn("tls_expiring", "renew the TLS certificate", "%s", finding)
	}
	return ok("%s", finding)
}

// tlsFailure explains a failed handshake.
func tlsFailure(host string, err error) Check {
	var hn x509.HostnameError
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &hn):
		return fail(ClassAuth, "tls_name_mismatch", "use the name the certificate is for, or give the server a TLS certificate for "+host,
			"the TLS certificate is for %s, not %s", strings.Join(tlsNames(hn.Certificate), ", "), host)
	case errors.As(err, &ua):
		return fail(ClassAuth, "tls_unknown_authority", "pass --tls-ca FILE when the server's TLS certificate comes from a private CA",
			"the TLS certificate of %s is not issued by a CA this machine trusts (%v)", host, err)
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		return fail(ClassAuth, "tls_expired", "renew the server's TLS certificate", "the TLS certificate of %s has expired (%v)", host, err)
	case errors.As(err, &ci):
		return fail(ClassAuth, "tls_invalid", "give the server a valid TLS certificate", "the TLS certificate of %s is not acceptable: %v", host, err)
	case unreachable(err):
		return fail(ClassUnavailable, "tls_unreachable", "check that the server speaks TLS on that port", "no TLS handshake with %s: %v", host, err)
	}
	return fail(ClassOther, "tls_handshake", "check the server's TLS configuration (is it https on that port?)", "the TLS handshake with %s failed: %v", host, err)
}

// tlsNames are the names a TLS certificate is for.
func tlsNames(c *x509.Certificate) []string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	return names
}

// fetched is one unsigned HTTP exchange.
type fetched struct {
	resp *http.Response
	body []byte
}

// get sends an unsigned GET, over HTTP/2 when http2 (and the server agrees).
func (r *run) get(path string, http2 bool) (*fetched, error) {
	ctx, cancel := r.step()
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.endpoint(path), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "imictl-probe")
	t := r.transport(http2)
	defer t.CloseIdleConnections()
	resp, err := t.RoundTrip(req)
	if err != nil {
		r.trace(req, nil, nil, nil)
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	r.trace(req, nil, resp, body)
	if err != nil {
		return nil, err
	}
	return &fetched{resp: resp, body: body}, nil
}

// maxAnswer bounds an answer read by the probe.
const maxAnswer = 1 << 20

func (r *run) trace(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	if r.cfg.Trace != nil {
		r.cfg.Trace(req, reqBody, resp, respBody)
	}
}

// protocols gets path over HTTP/2 (for https) and HTTP/1.1, and describes
// which answered. It returns the HTTP/1.1 answer; without one, the failed
// check.
func (r *run) protocols(path string) (*fetched, protocolsSeen, Check) {
	var seen protocolsSeen
	if r.base.Scheme == "https" {
		f, err := r.get(path, true)
		switch {
		case err != nil:
			seen.h2err = err
		case f.resp.ProtoMajor == 2:
			seen.h2 = true
		}
	}
	f, err := r.get(path, false)
	if err != nil {
		class := ClassOther
		if unreachable(err) {
			class = ClassUnavailable
		}
		return nil, seen, fail(class, "http_failed", "check that an HTTP server answers at "+r.base.String(), "GET %s got no HTTP/1.1 answer: %v", path, err)
	}
	return f, seen, Check{}
}

// protocolsSeen is what protocols found about HTTP/2.
type protocolsSeen struct {
	h2    bool  // HTTP/2 answered
	h2err error // HTTP/2 was offered by TLS and failed
}

func (p protocolsSeen) String() string {
	if p.h2 {
		return "HTTP/2 and HTTP/1.1 answer"
	}
	return "HTTP/1.1 answers"
}

// finish is the result of an HTTP check whose answer was as expected:
// ok, or a warning when HTTP/2 failed where TLS offered it.
func (p protocolsSeen) finish(format string, args ...any) Check {
	if p.h2err != nil {
		return warn("http2_failed", "fix the server's HTTP/2, or stop offering h2 in its TLS ALPN",
			"%s, but HTTP/2 failed: %v", fmt.Sprintf(format, args...), p.h2err)
	}
	return ok(format, args...)
}

// checkPeerHTTP sends the peer an unsigned request, which it must refuse
// with a signed signature_missing that names it.
func (r *run) checkPeerHTTP() Check {
	if r.firstFail != "" || len(r.hosts) == 0 {
		return r.skippedAfter()
	}
	path := Prefix + "/users"
	f, protos, c := r.protocols(path)
	if f == nil {
		return c
	}
	status := f.resp.StatusCode
	origin := f.resp.Header.Get(httpsig.HeaderOrigin)
	if pki.ValidateServerID(origin) != nil {
		return warn("unsigned_answer", "check that "+r.base.String()+" is the interconnection base URL; every answer must be signed, refusals included (docs/PROTOCOL.md 3.4)",
			"%s; an unsigned GET %s got HTTP %d that names no server (no valid %s)", protos, path, status, httpsig.HeaderOrigin)
	}
	r.claimed = origin
	if r.serverID != "" && origin != r.serverID {
		return fail(ClassAuth, "unexpected_origin", r.addressAdvice(),
			"the server at %s says it is %q, not %q", r.base, origin, r.serverID)
	}
	if reason, _ := envelope(f.body); status != http.StatusUnauthorized || reason != string(httpsig.ReasonSignatureMissing) {
		return warn("unsigned_accepted", "refuse every unsigned request with 401 signature_missing (docs/PROTOCOL.md 3.5, 3.6)",
			"%s, but an unsigned GET %s got HTTP %d (reason %q) from %s instead of 401 signature_missing: does it authenticate its callers?", protos, path, status, reason, origin)
	}
	return protos.finish("%s; an unsigned request is refused (401 signature_missing) by %s", protos, origin)
}

// checkMgmtHTTP fetches the root, which the management server serves to
// anyone.
func (r *run) checkMgmtHTTP() Check {
	if r.firstFail != "" || len(r.hosts) == 0 {
		return r.skippedAfter()
	}
	f, protos, c := r.protocols(mgmt.PathRoot)
	if f == nil {
		return c
	}
	if f.resp.StatusCode != http.StatusOK || !bytes.Contains(f.body, []byte("-----BEGIN CERTIFICATE-----")) {
		return fail(ClassOther, "not_mgmt", "check --mgmt: it is the management server's base URL, like http://127.0.0.1:8440",
			"%s, but GET %s got HTTP %d without a certificate: is %s a management server?", protos, mgmt.PathRoot, f.resp.StatusCode, r.base)
	}
	r.servedRoot = f.body
	return protos.finish("%s; GET %s serves the root", protos, mgmt.PathRoot)
}

package probe_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/probe"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// federation is a CA, a stand-in management server that lists our server
// alpha-im, and the peer beta-im's identity (not yet listed).
type federation struct {
	ca          *clienttest.CA
	mgmt        *clienttest.Mgmt
	alpha, beta *clienttest.Server
}

func newFederation(t *testing.T) *federation {
	t.Helper()
	f := &federation{ca: newCA(t, "probe test root")}
	now := time.Now()
	f.alpha, f.beta = f.issue(t, "alpha-im", now.Add(-time.Hour), now.AddDate(1, 0, 0)), f.issue(t, "beta-im", now.Add(-time.Hour), now.AddDate(1, 0, 0))
	f.mgmt = clienttest.NewMgmt(t, f.ca)
	f.mgmt.Register(f.alpha, "http://127.0.0.1:1", httpsig.StatusNormal)
	return f
}

// config is alpha-im's probe configuration.
func (f *federation) config() probe.Config {
	return probe.Config{Key: f.alpha.Key, Cert: f.alpha.Cert, Roots: []*smx509.Certificate{f.ca.Issuer.Cert}, MgmtURL: f.mgmt.URL, Timeout: 5 * time.Second}
}

// usersHandler answers S8 as an IM server without users does.
func usersHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sns/users", func(w http.ResponseWriter, r *http.Request) {
		clienttest.WriteJSON(w, http.StatusNotFound, `{"code":1,"error":"no such user","reason":"unknown_user"}`)
	})
	return mux
}

// peerOptions change how the peer signs and checks.
type peerOptions struct {
	self   *clienttest.Server // default: beta-im
	signer *httpsig.Signer    // default: beta-im's own
	now    func() time.Time   // the peer's clock
	tls    *tls.Config        // serve HTTPS with it
	// brokenH2 offers HTTP/2 in TLS without speaking it.
	brokenH2 bool
	wrap     func(http.Handler) http.Handler // around the signing middleware
}

// startPeer runs beta-im behind httpsig's middleware, authenticating its
// callers through the management server's directory, and returns its URL.
func (f *federation) startPeer(t *testing.T, o peerOptions) *httptest.Server {
	t.Helper()
	self := o.self
	if self == nil {
		self = f.beta
	}
	signer := o.signer
	if signer == nil {
		signer = self.Signer
	}
	v, err := httpsig.NewVerifier(httpsig.Options{Self: self.ID, Signer: signer, Resolver: f.mgmt, Roots: f.ca.Roots,
		CRL: f.ca.CRLProvider(t), Now: o.now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = v.Middleware(usersHandler())
	if o.wrap != nil {
		h = o.wrap(h)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the probe's TLS check hangs up after the handshake
	switch {
	case o.brokenH2:
		// TLS offers h2, but the server only speaks HTTP/1.1.
		srv.TLS = o.tls
		srv.TLS.NextProtos = []string{"h2", "http/1.1"}
		srv.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
		srv.StartTLS()
	case o.tls != nil:
		srv.TLS = o.tls
		srv.EnableHTTP2 = true
		srv.StartTLS()
	default:
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

// listed starts beta-im, lists it in the directory at its URL with
// status, and returns its serverId.
func (f *federation) listed(t *testing.T, o peerOptions, status int) string {
	t.Helper()
	srv := f.startPeer(t, o)
	f.mgmt.Register(f.beta, srv.URL, status)
	return f.beta.ID
}

func run(t *testing.T, cfg probe.Config, target string) *probe.Report {
	t.Helper()
	rep, err := probe.Peer(context.Background(), cfg, target)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// expect asserts the status, reason and finding of one check.
func expect(t *testing.T, rep *probe.Report, id string, status probe.Status, reason, finding string) {
	t.Helper()
	c := rep.Check(id)
	if c == nil {
		t.Fatalf("no check %s in %s", id, dump(rep))
	}
	if c.Status != status || c.Reason != reason || !strings.Contains(c.Finding, finding) {
		t.Errorf("%s: %s %q %q; want %s %q and a finding with %q\n%s", id, c.Status, c.Reason, c.Finding, status, reason, finding, dump(rep))
	}
	if c.Status != probe.StatusOK && c.Status != probe.StatusSkipped && c.Next == "" {
		t.Errorf("%s: %s without a next step", id, c.Status)
	}
}

func dump(rep *probe.Report) string {
	var b strings.Builder
	for _, c := range rep.Checks {
		b.WriteString(c.ID + " " + string(c.Status) + " " + c.Reason + ": " + c.Finding + "\n")
	}
	return b.String()
}

// tlsCert is a self-signed TLS certificate (ECDSA P-256) for the given
// names, and a pool that trusts it.
func tlsCert(t *testing.T, dnsNames []string, ips ...net.IP) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "probe test"}, DNSNames: dnsNames, IPAddresses: ips,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}, pool
}

// issue makes a certificate of the CA for serverID valid in [from, to].
func (f *federation) issue(t *testing.T, serverID string, from, to time.Time) *clienttest.Server {
	t.Helper()
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	csrDER, _ := pki.CreateCSR(key, pki.CSRTemplate{ServerID: serverID, ServerName: serverID})
	csr, _ := smx509.ParseCertificateRequest(csrDER)
	serial, _ := pki.NewSerial()
	der, err := f.ca.Issuer.IssueServerCert(csr, pki.IssueParams{Serial: serial, NotBefore: from, NotAfter: to})
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := smx509.ParseCertificate(der)
	s, err := httpsig.NewSigner(key, cert)
	if err != nil {
		t.Fatal(err)
	}
	return &clienttest.Server{ID: serverID, Key: key, Cert: cert, Signer: s}
}

func httptestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// newCA is a CA like clienttest's whose root lasts two years, so that the
// certificates it issues can be far from their expiry.
func newCA(t *testing.T, name string) *clienttest.CA {
	t.Helper()
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	der, err := pki.CreateRootCert(key, name, time.Now().Add(-48*time.Hour), time.Now().AddDate(2, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := smx509.ParseCertificate(der)
	roots := smx509.NewCertPool()
	roots.AddCert(cert)
	return &clienttest.CA{Issuer: &pki.Issuer{Cert: cert, Key: key}, Roots: roots}
}

package clienttest

import (
	"bytes"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// FixedCRL is a CRLProvider with a set CRL.
type FixedCRL struct{ CRL *smx509.RevocationList }

// Current implements httpsig.CRLProvider.
func (f FixedCRL) Current() (*smx509.RevocationList, error) { return f.CRL, nil }

// CRLProvider is a provider of a fresh CRL listing the given serials.
func (ca *CA) CRLProvider(t testing.TB, revoked ...*smx509.Certificate) FixedCRL {
	t.Helper()
	var serials []*big.Int
	for _, c := range revoked {
		serials = append(serials, c.SerialNumber)
	}
	crl, err := pki.ParseCRL(ca.CRL(t, serials...))
	check(t, err)
	return FixedCRL{crl}
}

// Request is what a stand-in server received, once authenticated.
type Request struct {
	Origin   string // the authenticated caller
	Method   string
	Path     string // as sent, escaped
	RawQuery string
	Header   http.Header
	Body     []byte
}

// Tamper changes a signed response on its way out, as a hostile proxy
// would; it may change the header, the status and the body.
type Tamper func(h http.Header, status int, body []byte) (int, []byte)

// Peer is a stand-in IM server on loopback: httpsig's verifier middleware
// in front of the test's handler, recording what got through.
type Peer struct {
	*httptest.Server
	Self *Server

	mu       sync.Mutex
	requests []Request
	tamper   Tamper
}

// NewPeer starts a peer that authenticates callers against dir (and the
// CA's root and an empty CRL) and serves h.
func NewPeer(t testing.TB, ca *CA, self *Server, dir httpsig.Resolver, h http.Handler) *Peer {
	t.Helper()
	v, err := httpsig.NewVerifier(httpsig.Options{
		Self: self.ID, Resolver: dir, Roots: ca.Roots, CRL: ca.CRLProvider(t), Signer: self.Signer,
		Logger: slog.New(slog.DiscardHandler),
	})
	check(t, err)
	p := &Peer{Self: self}
	p.Server = httptest.NewServer(p.tampering(v.Middleware(p.recording(h))))
	t.Cleanup(p.Close)
	return p
}

// Requests returns what the peer has received so far.
func (p *Peer) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.requests...)
}

// SetTamper makes the peer alter its signed responses (nil stops it).
func (p *Peer) SetTamper(f Tamper) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = f
}

func (p *Peer) recording(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		origin, _ := httpsig.OriginFrom(r.Context())
		p.mu.Lock()
		p.requests = append(p.requests, Request{Origin: origin, Method: r.Method, Path: r.URL.EscapedPath(),
			RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		p.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
}

func (p *Peer) tampering(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		tamper := p.tamper
		p.mu.Unlock()
		if tamper == nil {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		status, body := tamper(rec.Header(), rec.Code, rec.Body.Bytes())
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		w.Write(body)
	})
}

// WriteJSON answers with a JSON body, as the standard wants it.
func WriteJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

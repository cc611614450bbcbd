package client_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/clocktest"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

var ctx = context.Background()

// clock is a fake clock shared by the management server and its clients.
type clock = clocktest.Clock

// world is a real management server on a fake clock, with alpha-im (the
// client's identity) and beta-im registered.
type world struct {
	m           *mgmttest.Server
	clk         *clock
	alpha, beta *mgmttest.Registered
}

func newWorld(t *testing.T) *world {
	t.Helper()
	clk := clocktest.New(time.Now())
	m := mgmttest.Start(t, mgmttest.Options{Now: clk.Now})
	return &world{m: m, clk: clk, alpha: m.Register(t, "alpha-im"), beta: m.Register(t, "beta-im")}
}

// public is a client signing as alpha-im on the world's clock; o adds to
// or overrides that.
func (w *world) public(t *testing.T, o client.PublicOptions) *client.Public {
	t.Helper()
	o.BaseURL, o.Root, o.Now = w.m.URL(), w.m.CA().Root.Cert, w.clk.Now
	if o.Key == nil {
		o.Key, o.Cert = w.alpha.Key, w.alpha.Cert
	}
	if o.HTTP == nil {
		// Tests restart the server on the same address: a pooled connection
		// to the old one would fail the next POST with EOF.
		o.HTTP = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	}
	p, err := client.NewPublic(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// signer signs as r on the world's clock.
func (w *world) signer(t *testing.T, r *mgmttest.Registered) *httpsig.Signer {
	t.Helper()
	s, err := httpsig.NewSigner(r.Key, r.Cert)
	if err != nil {
		t.Fatal(err)
	}
	s.SetClock(w.clk.Now)
	return s
}

// alphaVerifier checks calls to alpha-im against the directory as pub
// resolves it and the CRL pub keeps. call makes one, signed by beta-im,
// and returns the refusal's reason ("" for a call let through).
func (w *world) alphaVerifier(t *testing.T, resolver httpsig.Resolver, crl httpsig.CRLProvider) (call func() string) {
	t.Helper()
	v, err := httpsig.NewVerifier(httpsig.Options{Self: "alpha-im", Signer: w.signer(t, w.alpha), Resolver: resolver,
		Roots: pool(w.m.CA().Root.Cert), CRL: crl, Now: w.clk.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	h := v.Middleware(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.Write([]byte(`{"code":0,"error":""}`)) }))
	beta := w.signer(t, w.beta)
	return func() string {
		req := httptest.NewRequest(http.MethodGet, "http://alpha.example/sns/users?userID=u1%40alpha-im", nil)
		if err := beta.SignRequest(req, "alpha-im"); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			return ""
		}
		_, reason, _ := strings.Cut(rec.Body.String(), `"reason":"`)
		reason, _, _ = strings.Cut(reason, `"`)
		return reason
	}
}

func pool(root *smx509.Certificate) *smx509.CertPool {
	p := smx509.NewCertPool()
	p.AddCert(root)
	return p
}

// recorder keeps "METHOD path" of every exchange traced.
type recorder struct {
	mu    sync.Mutex
	calls []string
	reqs  []*http.Request
}

func (r *recorder) trace(req *http.Request, _ []byte, _ *http.Response, _ []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, req.Method+" "+req.URL.Path)
	r.reqs = append(r.reqs, req)
}

// take returns the exchanges since the last take.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

var (
	m1  = "POST " + mgmt.PathServers
	m2  = "POST " + mgmt.PathServerCert
	crl = "GET " + mgmt.PathCRL
)

func TestResolve(t *testing.T) {
	w := newWorld(t)
	rec := &recorder{}
	p := w.public(t, client.PublicOptions{Trace: rec.trace})

	info, err := p.Resolve(ctx, "beta-im")
	if err != nil {
		t.Fatal(err)
	}
	if info.ServerID != "beta-im" || info.Status != httpsig.StatusNormal || info.Address != "http://127.0.0.1:1" || !info.Certificate.Equal(w.beta.Cert) {
		t.Fatalf("beta-im: %+v", info)
	}
	// The certificate and CRL that authenticate the management server
	// first, then the query, then the record's certificate.
	if got, want := rec.take(), []string{m2, crl, m1, m2}; !slices.Equal(got, want) {
		t.Errorf("exchanges %q, want %q", got, want)
	}
	// The management server itself is known from M2 alone, already held.
	if info, err := p.Resolve(ctx, ca.DefaultServerID); err != nil || !info.Certificate.Equal(w.m.CA().Self) || info.Status != httpsig.StatusNormal {
		t.Fatalf("center-im: %+v %v", info, err)
	}
	if got := rec.take(); len(got) != 0 {
		t.Errorf("resolving center-im again made calls %q", got)
	}

	if _, err := w.m.Service().Suspend(ctx, "beta-im", "admin:test"); err != nil {
		t.Fatal(err)
	}
	if info, err := p.Resolve(ctx, "beta-im"); err != nil || info.Status != httpsig.StatusSuspended {
		t.Fatalf("suspended beta-im: %+v %v", info, err)
	}
	_, err = p.Resolve(ctx, "nobody-im")
	if !errors.Is(err, httpsig.ErrUnknownServer) || !strings.Contains(err.Error(), `"nobody-im": the management server at `+w.m.URL()+" does not list it") {
		t.Fatalf("unknown server: %v", err)
	}
}

// Resolve and the CRL holder are what a verifier needs: with a cache in
// front, one query per server.
func TestVerifierThroughPublic(t *testing.T) {
	w := newWorld(t)
	rec := &recorder{}
	p := w.public(t, client.PublicOptions{Trace: rec.trace})
	call := w.alphaVerifier(t, httpsig.NewCachingResolver(p, httpsig.CacheOptions{Now: w.clk.Now}), p.CRLHolder())
	if err := p.CRLHolder().Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if reason := call(); reason != "" {
			t.Fatalf("refused: %s", reason)
		}
	}
	if n := strings.Count(strings.Join(rec.take(), "\n"), m1); n != 1 {
		t.Errorf("%d directory queries, want 1 (cached)", n)
	}
}

func TestRefusals(t *testing.T) {
	w := newWorld(t)
	// ghost-im has a certificate of the right CA but is not registered.
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	der, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: "ghost-im"})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := smx509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	certDER, err := w.m.CA().Issue(csr, time.Hour, w.clk.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(certDER)
	if err != nil {
		t.Fatal(err)
	}
	ghost := w.public(t, client.PublicOptions{Key: key, Cert: cert})
	_, err = ghost.Resolve(ctx, "beta-im")
	var ae *httpsig.AuthError
	if !errors.As(err, &ae) || ae.Reason != httpsig.ReasonUnknownServer || !ae.Reported || ae.Unverified != "" || ae.Peer != "center-im" {
		t.Fatalf("unregistered caller: %v", err)
	}

	for _, tc := range []struct {
		name string
		o    client.PublicOptions
		want string
	}{
		{"no scheme", client.PublicOptions{BaseURL: "mgmt:8440"}, `client: the management server's URL "mgmt:8440": want http(s)://host[:port][/path]`},
		{"no host", client.PublicOptions{BaseURL: "http://"}, `client: the management server's URL "http:": want`},
		{"user info", client.PublicOptions{BaseURL: "https://ops:pw@mgmt.example.com"}, `client: the management server's URL "https://ops:pw@mgmt.example.com": want`},
		{"no URL", client.PublicOptions{}, "client: the management server's URL is required (--mgmt URL)"},
	} {
		if _, err := client.NewPublic(tc.o); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	// Without a root, nothing signed and no directory.
	unsigned, err := client.NewPublic(client.PublicOptions{BaseURL: w.m.URL() + "/", Key: w.alpha.Key, Cert: w.alpha.Cert})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unsigned.Resolve(ctx, "center-im"); err == nil || !strings.Contains(err.Error(), "needs the pinned root") {
		t.Errorf("center-im without a root: %v", err)
	}
	if _, err := unsigned.Resolve(ctx, "beta-im"); err == nil || !strings.Contains(err.Error(), "signed calls need the pinned root") {
		t.Errorf("beta-im without a root: %v", err)
	}
}

// The trace shows the signed request as sent and the signed answer.
func TestTrace(t *testing.T) {
	w := newWorld(t)
	var mu sync.Mutex
	var seen []string
	p := w.public(t, client.PublicOptions{Trace: func(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
		mu.Lock()
		defer mu.Unlock()
		if req.URL.Path == mgmt.PathServers {
			seen = append(seen, string(reqBody), req.Header.Get(httpsig.HeaderOrigin), resp.Header.Get(httpsig.HeaderOrigin), string(respBody[:min(len(respBody), 24)]))
			seen = append(seen, strings.Fields(req.Header.Get("Signature-Input"))[0][:4])
		}
	}})
	if _, err := p.Servers(ctx, api.ServersQuery{ServerIDs: []string{"beta-im"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{`{"serverIds":["beta-im"],"lastQueryTime":0}`, "alpha-im", "center-im", `{"code":"0","desc":"OK",`, "imi="}
	if !slices.Equal(seen, want) {
		t.Errorf("traced %q\nwant %q", seen, want)
	}
	// An unreachable server is traced without an answer.
	var noAnswer bool
	down, err := client.NewPublic(client.PublicOptions{BaseURL: "http://127.0.0.1:1", Trace: func(_ *http.Request, _ []byte, resp *http.Response, _ []byte) { noAnswer = resp == nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := down.FetchCRL(ctx); err == nil || !noAnswer {
		t.Errorf("unreachable: %v, traced without answer %v", err, noAnswer)
	}
}

// A long-running client (the IM server's) across days: the CRL that
// authenticates the management server expires after 24 hours, and is
// fetched again on demand; the new one reveals a revocation.
func TestDaysOfFakeTime(t *testing.T) {
	w := newWorld(t)
	rec := &recorder{}
	p := w.public(t, client.PublicOptions{Trace: rec.trace})
	call := w.alphaVerifier(t, p, p.CRLHolder())
	if _, err := p.Servers(ctx, api.ServersQuery{}); err != nil {
		t.Fatal(err)
	}
	if reason := call(); reason != "" {
		t.Fatalf("beta-im refused: %s", reason)
	}
	if _, err := w.m.Service().Revoke(ctx, pki.SerialHex(w.beta.Cert.SerialNumber), 1, "admin:test"); err != nil {
		t.Fatal(err)
	}
	// The CRL held is fresh: the revocation is not known yet.
	w.clk.Add(time.Hour)
	if reason := call(); reason != "" {
		t.Fatalf("beta-im refused before the CRL held expired: %s", reason)
	}
	// A day later the CRL held has expired (the server has published a
	// new one meanwhile, as its refresh loop does): resolving beta-im
	// fetches it, and beta-im is refused.
	w.clk.Add(24 * time.Hour)
	if _, err := w.m.Service().RegenerateCRL(ctx, mgmt.ActorCRLRefresh); err != nil {
		t.Fatal(err)
	}
	rec.take()
	if reason := call(); reason != string(httpsig.ReasonCertRevoked) {
		t.Fatalf("revoked beta-im: reason %q", reason)
	}
	if got := rec.take(); !slices.Contains(got, crl) {
		t.Errorf("no CRL fetched on demand: %q", got)
	}
	for day := range 3 {
		w.clk.Add(25 * time.Hour)
		if _, err := w.m.Service().RegenerateCRL(ctx, mgmt.ActorCRLRefresh); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Servers(ctx, api.ServersQuery{}); err != nil {
			t.Fatalf("day %d: %v", day+2, err)
		}
	}
}

// With Run, the CRL is fetched in the background: a revocation is known
// within the refresh interval, long before the CRL held expires.
func TestRunRefreshesCRL(t *testing.T) {
	w := newWorld(t)
	src, err := client.NewPublic(client.PublicOptions{BaseURL: w.m.URL(), Root: w.m.CA().Root.Cert})
	if err != nil {
		t.Fatal(err)
	}
	holder := httpsig.NewCRLHolder(src, httpsig.CRLOptions{Refresh: 10 * time.Millisecond, Now: w.clk.Now, Logger: slog.New(slog.DiscardHandler)})
	p := w.public(t, client.PublicOptions{CRL: holder})
	if p.CRLHolder() != holder {
		t.Fatal("the holder given is not the one used")
	}
	call := w.alphaVerifier(t, p, holder)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); p.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	if _, err := p.Servers(ctx, api.ServersQuery{}); err != nil {
		t.Fatal(err)
	}
	if reason := call(); reason != "" {
		t.Fatalf("beta-im refused: %s", reason)
	}
	if _, err := w.m.Service().Revoke(ctx, pki.SerialHex(w.beta.Cert.SerialNumber), 1, "admin:test"); err != nil {
		t.Fatal(err)
	}
	for i := 0; call() != string(httpsig.ReasonCertRevoked); i++ {
		if i == 1000 {
			t.Fatal("the revocation was never learned")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rotateMgmtKey gives the management server a new key and a certificate
// valid for validity, as an operator would, and restarts it.
func rotateMgmtKey(t *testing.T, w *world, validity time.Duration) {
	t.Helper()
	c := w.m.CA()
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	der, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: c.SelfID, ServerName: "rotated"})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := smx509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	certDER, err := c.Issue(csr, validity, w.clk.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := pki.EncodePrivateKeyPEM(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := mgmt.CADir(w.m.DataDir)
	if err := os.WriteFile(filepath.Join(dir, ca.SelfKeyFile), keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ca.SelfCertFile), pki.EncodeCertificatePEM(certDER), 0o644); err != nil {
		t.Fatal(err)
	}
	w.m.Restart(t)
}

func TestMgmtKeyRotation(t *testing.T) {
	w := newWorld(t)
	rec := &recorder{}
	p := w.public(t, client.PublicOptions{Trace: rec.trace})
	if _, err := p.Servers(ctx, api.ServersQuery{}); err != nil {
		t.Fatal(err)
	}

	// The answer is signed with a key the client does not know: it fetches
	// the new certificate and checks the same answer again; the request,
	// which changed something, is not sent twice.
	rotateMgmtKey(t, w, 30*24*time.Hour)
	rec.take()
	name := "Alpha renamed"
	if _, err := p.Modify(ctx, api.ModifyRequest{ServerID: "alpha-im", Changes: api.ServerChanges{ServerName: &name}}); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.take(), []string{"POST " + mgmt.PathModify, m2}; !slices.Equal(got, want) {
		t.Errorf("exchanges %q, want %q", got, want)
	}

	// Near its expiry, the certificate is fetched again before the call.
	rotateMgmtKey(t, w, 30*24*time.Hour)
	w.clk.Add(24 * 24 * time.Hour)
	if _, err := w.m.Service().RegenerateCRL(ctx, mgmt.ActorCRLRefresh); err != nil {
		t.Fatal(err)
	}
	rec.take()
	if _, err := p.Servers(ctx, api.ServersQuery{}); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.take(), []string{m2, crl, m1}; !slices.Equal(got, want) {
		t.Errorf("exchanges %q, want %q", got, want)
	}
	// Once renewed, no more fetching.
	if _, err := p.Servers(ctx, api.ServersQuery{}); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.take(), []string{m1}; !slices.Equal(got, want) {
		t.Errorf("exchanges %q, want %q", got, want)
	}
}

// An answer that fails for a reason a new certificate would explain, but
// signed by the certificate held (altered on the way): the certificate is
// fetched again, found unchanged, and the failure reported.
func TestTamperedAnswer(t *testing.T) {
	w := newWorld(t)
	target, err := url.Parse(w.m.URL())
	if err != nil {
		t.Fatal(err)
	}
	var tamper atomic.Bool
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		if sig := []byte(r.Header.Get("Signature")); tamper.Load() && len(sig) > 20 {
			// Another base64 digit, inside the value.
			if sig[16] == 'A' {
				sig[16] = 'B'
			} else {
				sig[16] = 'A'
			}
			r.Header.Set("Signature", string(sig))
		}
		return nil
	}
	front := httptest.NewServer(proxy)
	defer front.Close()
	rec := &recorder{}
	p, err := client.NewPublic(client.PublicOptions{BaseURL: front.URL, Root: w.m.CA().Root.Cert, Key: w.alpha.Key, Cert: w.alpha.Cert, Now: w.clk.Now, Trace: rec.trace})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Servers(ctx, api.ServersQuery{}); err != nil {
		t.Fatal(err)
	}
	rec.take()
	tamper.Store(true)
	_, err = p.Servers(ctx, api.ServersQuery{})
	var ae *httpsig.AuthError
	if !errors.As(err, &ae) || ae.Side != httpsig.SideResponse || ae.Reason != httpsig.ReasonSignatureInvalid || ae.Peer != "center-im" {
		t.Fatalf("tampered answer: %v", err)
	}
	if got, want := rec.take(), []string{m1, m2}; !slices.Equal(got, want) {
		t.Errorf("exchanges %q, want %q", got, want)
	}
	tamper.Store(false)
	if _, err := p.Servers(ctx, api.ServersQuery{}); err != nil {
		t.Fatal(err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A wait that ends while a poll is in flight reports the last answer
// (pending), not the cut poll's error.
func TestWaitDecidedEndsDuringAPoll(t *testing.T) {
	w := newWorld(t)
	app := w.m.NewApplicant(t, "gamma-im")
	req := w.m.Submit(t, app)
	var polls atomic.Int32
	hang := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path == mgmt.PathStatus && polls.Add(1) > 1 {
			<-r.Context().Done() // the second poll never answers
			return nil, r.Context().Err()
		}
		return (&http.Transport{DisableKeepAlives: true}).RoundTrip(r)
	})}
	p := w.public(t, client.PublicOptions{Key: app.Key, ServerID: app.ID, HTTP: hang})
	// Long enough for the first poll on a loaded machine: the second one
	// hangs until the deadline whatever it is.
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := p.WaitDecided(wctx, req, 10*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) || st.Status != api.RequestPending || st.RequestID != req {
		t.Fatalf("got %+v, %v; want the pending answer and the deadline", st, err)
	}
}

package probe_test

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/probe"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// A healthy peer over HTTPS with HTTP/2, with our lists given: every check
// passes.
func TestHealthyPeer(t *testing.T) {
	f := newFederation(t)
	tlsCfg, pool := tlsCert(t, nil, net.ParseIP("127.0.0.1"))
	srv := f.startPeer(t, peerOptions{tls: tlsCfg})
	f.mgmt.Register(f.beta, srv.URL, httpsig.StatusNormal)
	cfg := f.config()
	cfg.TLSRoots = pool
	cfg.Policy = httpsig.NewPolicy()
	for _, target := range []string{"beta-im", srv.URL} {
		rep := run(t, cfg, target)
		for _, c := range rep.Checks {
			want := probe.StatusOK
			if c.ID == "address.directory" && target == srv.URL {
				want = probe.StatusSkipped // asked in identity.certificate
			}
			if c.Status != want || c.Next != "" || c.Reason != "" {
				t.Errorf("%s: %s %s: %s (next %q)", target, c.ID, c.Status, c.Finding, c.Next)
			}
		}
		if rep.Result != probe.StatusOK || rep.Outcome() != probe.ClassNone || rep.ServerID != "beta-im" || rep.URL != srv.URL {
			t.Errorf("%s: result %s, outcome %d, serverId %q, url %q", target, rep.Result, rep.Outcome(), rep.ServerID, rep.URL)
		}
		expect(t, rep, "transport.tls", probe.StatusOK, "", "ALPN h2")
		expect(t, rep, "transport.http", probe.StatusOK, "", "HTTP/2 and HTTP/1.1 answer; an unsigned request is refused (401 signature_missing) by beta-im")
		expect(t, rep, "signed.request", probe.StatusOK, "", "beta-im accepted our signature as alpha-im: S8 for a user that does not exist was answered HTTP 404 Not Found, reason unknown_user")
		expect(t, rep, "signed.response", probe.StatusOK, "", "bound to our request's signature")
		expect(t, rep, "clock.skew", probe.StatusOK, "", "within 1s of ours")
	}
}

// The pinned root is another federation's: the management server's
// answers cannot be authenticated.
func TestWrongRoot(t *testing.T) {
	f := newFederation(t)
	srv := f.startPeer(t, peerOptions{})
	f.mgmt.Register(f.beta, srv.URL, httpsig.StatusNormal)
	cfg := f.config()
	cfg.Roots = []*smx509.Certificate{newCA(t, "another federation").Issuer.Cert}
	rep := run(t, cfg, "beta-im")
	expect(t, rep, "address.directory", probe.StatusFail, "unknown_authority", "the management server cannot be authenticated")
	expect(t, rep, "address.url", probe.StatusSkipped, "", "not run: address.directory failed")
	expect(t, rep, "signed.request", probe.StatusSkipped, "", "not run: address.directory failed")
	if rep.Outcome() != probe.ClassAuth || rep.Result != probe.StatusFail {
		t.Errorf("outcome %d, result %s", rep.Outcome(), rep.Result)
	}
}

func TestExpiredCertificate(t *testing.T) {
	f := newFederation(t)
	f.beta = f.issue(t, "beta-im", time.Now().Add(-40*time.Hour), time.Now().Add(-24*time.Hour))
	srv := f.startPeer(t, peerOptions{})
	f.mgmt.Register(f.beta, srv.URL, httpsig.StatusNormal)
	rep := run(t, f.config(), "beta-im")
	expect(t, rep, "identity.chain", probe.StatusOK, "", "issued by the pinned root")
	expect(t, rep, "identity.validity", probe.StatusFail, "cert_expired", "the certificate of beta-im expired at")
	expect(t, rep, "signed.request", probe.StatusSkipped, "", "not run: identity.validity failed")
	if rep.Outcome() != probe.ClassAuth {
		t.Errorf("outcome %d", rep.Outcome())
	}
}

func TestRevokedCertificate(t *testing.T) {
	f := newFederation(t)
	srv := f.startPeer(t, peerOptions{})
	f.mgmt.Register(f.beta, srv.URL, httpsig.StatusNormal)
	f.mgmt.SetCRL(f.ca.CRL(t, f.beta.Cert.SerialNumber))
	rep := run(t, f.config(), "beta-im")
	expect(t, rep, "identity.revocation", probe.StatusFail, "cert_revoked", "serial "+pki.SerialHex(f.beta.Cert.SerialNumber)+") was revoked at")
	if rep.Outcome() != probe.ClassAuth {
		t.Errorf("outcome %d", rep.Outcome())
	}
}

// The directory serves, for beta-im, a certificate issued for another
// serverId.
func TestWrongServerIDBinding(t *testing.T) {
	f := newFederation(t)
	srv := f.startPeer(t, peerOptions{})
	other := f.ca.Server(t, "gamma-im")
	f.mgmt.Register(&clienttest.Server{ID: "beta-im", Cert: other.Cert}, srv.URL, httpsig.StatusNormal)
	rep := run(t, f.config(), "beta-im")
	expect(t, rep, "identity.binding", probe.StatusFail, "wrong_server_id", `the certificate served for beta-im is bound to "gamma-im"`)
	if rep.Outcome() != probe.ClassAuth {
		t.Errorf("outcome %d", rep.Outcome())
	}
}

// A suspended peer answers signed calls well, but every server refuses
// them: the round trip passes and the policy check fails.
func TestSuspendedPeer(t *testing.T) {
	f := newFederation(t)
	srv := f.startPeer(t, peerOptions{})
	f.mgmt.Register(f.beta, srv.URL, httpsig.StatusSuspended)
	rep := run(t, f.config(), "beta-im")
	expect(t, rep, "address.directory", probe.StatusWarn, "server_suspended", "status 1 (suspended)")
	expect(t, rep, "signed.response", probe.StatusOK, "", "signed by beta-im")
	expect(t, rep, "policy.status", probe.StatusFail, "server_suspended", "beta-im is suspended (status 1): every server refuses its calls and its answers")
	if rep.Outcome() != probe.ClassAuth {
		t.Errorf("outcome %d", rep.Outcome())
	}
}

// The peer's clock is 10 minutes fast: it refuses our request, and its
// (signed) refusal tells by how much.
func TestClockTenMinutesOff(t *testing.T) {
	f := newFederation(t)
	fast := func() time.Time { return time.Now().Add(10 * time.Minute) }
	signer, err := httpsig.NewSigner(f.beta.Key, f.beta.Cert)
	if err != nil {
		t.Fatal(err)
	}
	signer.SetClock(fast)
	srv := f.startPeer(t, peerOptions{signer: signer, now: fast})
	f.mgmt.Register(f.beta, srv.URL, httpsig.StatusNormal)
	rep := run(t, f.config(), "beta-im")
	expect(t, rep, "signed.request", probe.StatusFail, "clock_skew", "beta-im refused our signed request: clock_skew (HTTP 401)")
	expect(t, rep, "signed.response", probe.StatusFail, "clock_skew", "fails our check: clock_skew")
	c := rep.Check("clock.skew")
	if c.Status != probe.StatusFail || c.Reason != "clock_skew" || !strings.Contains(c.Finding, "ahead of ours, beyond the ±5m0s window") ||
		!(strings.Contains(c.Finding, "is 10m0s ahead") || strings.Contains(c.Finding, "is 10m1s ahead") || strings.Contains(c.Finding, "is 9m59s ahead")) {
		t.Errorf("clock.skew: %+v", c)
	}
	if rep.Outcome() != probe.ClassAuth {
		t.Errorf("outcome %d", rep.Outcome())
	}
}

// The peer signs its answers with a key that is not the certified one.
func TestPeerSignsWithAnotherKey(t *testing.T) {
	f := newFederation(t)
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	impostor, err := httpsig.NewKeySigner(key, "beta-im")
	if err != nil {
		t.Fatal(err)
	}
	srv := f.startPeer(t, peerOptions{signer: impostor})
	f.mgmt.Register(f.beta, srv.URL, httpsig.StatusNormal)
	rep := run(t, f.config(), "beta-im")
	expect(t, rep, "signed.request", probe.StatusWarn, "unauthenticated_answer", "did not refuse our signature")
	expect(t, rep, "signed.response", probe.StatusFail, "signature_invalid", "does not verify with the certificate of \"beta-im\"")
	if rep.Outcome() != probe.ClassAuth {
		t.Errorf("outcome %d", rep.Outcome())
	}
}

// The peer checks our signature but does not sign its answers.
func TestPeerDoesNotSign(t *testing.T) {
	f := newFederation(t)
	strip := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(unsigning{w}, r)
		})
	}
	srv := f.startPeer(t, peerOptions{wrap: strip})
	f.mgmt.Register(f.beta, srv.URL, httpsig.StatusNormal)
	rep := run(t, f.config(), "beta-im")
	expect(t, rep, "signed.response", probe.StatusFail, "signature_missing", "fails our check: signature_missing")
	expect(t, rep, "clock.skew", probe.StatusSkipped, "", "no signature to read the clock from")
	if rep.Outcome() != probe.ClassAuth {
		t.Errorf("outcome %d", rep.Outcome())
	}
}

// unsigning drops the signature headers as the response goes out.
type unsigning struct{ http.ResponseWriter }

func (u unsigning) WriteHeader(code int) {
	u.Header().Del("Signature")
	u.Header().Del("Signature-Input")
	u.ResponseWriter.WriteHeader(code)
}

func TestClosedPort(t *testing.T) {
	f := newFederation(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	f.mgmt.Register(f.beta, "http://"+addr, httpsig.StatusNormal)
	rep := run(t, f.config(), "beta-im")
	expect(t, rep, "address.dns", probe.StatusOK, "", "127.0.0.1 is an IP address")
	expect(t, rep, "address.tcp", probe.StatusFail, "connection_refused", "connection refused at "+addr+": nothing listens there")
	expect(t, rep, "transport.http", probe.StatusSkipped, "", "not run: address.tcp failed")
	if rep.Outcome() != probe.ClassUnavailable {
		t.Errorf("outcome %d", rep.Outcome())
	}
}

// The peer's TLS certificate is for another name than the address.
func TestTLSNameMismatch(t *testing.T) {
	f := newFederation(t)
	tlsCfg, pool := tlsCert(t, []string{"im.example.test"})
	srv := f.startPeer(t, peerOptions{tls: tlsCfg})
	f.mgmt.Register(f.beta, srv.URL, httpsig.StatusNormal)
	cfg := f.config()
	cfg.TLSRoots = pool
	rep := run(t, cfg, "beta-im")
	expect(t, rep, "transport.tls", probe.StatusFail, "tls_name_mismatch", "the TLS certificate is for im.example.test, not 127.0.0.1")
	if rep.Outcome() != probe.ClassAuth {
		t.Errorf("outcome %d", rep.Outcome())
	}
}

// Our own lists refuse the peer.
func TestOurPolicyRefusesPeer(t *testing.T) {
	f := newFederation(t)
	srv := f.startPeer(t, peerOptions{})
	f.mgmt.Register(f.beta, srv.URL, httpsig.StatusNormal)
	cfg := f.config()
	cfg.Policy = httpsig.NewPolicy()
	cfg.Policy.SetDenyList([]string{"beta-im"})
	rep := run(t, cfg, "beta-im")
	expect(t, rep, "policy.lists", probe.StatusFail, "forbidden_by_policy", "beta-im is on your black list")
	cfg.Policy = httpsig.NewPolicy()
	cfg.Policy.SetAllowList([]string{"gamma-im"})
	rep = run(t, cfg, "beta-im")
	expect(t, rep, "policy.lists", probe.StatusFail, "forbidden_by_policy", "beta-im is not on your white list")
}

// A serverId the directory does not list, and a URL where no
// interconnection server answers.
func TestUnknownPeer(t *testing.T) {
	f := newFederation(t)
	rep := run(t, f.config(), "nobody-im")
	expect(t, rep, "address.directory", probe.StatusFail, "unknown_server", `does not list "nobody-im"`)
	web := httptestServer(t, http.NotFoundHandler())
	rep = run(t, f.config(), web)
	expect(t, rep, "transport.http", probe.StatusWarn, "unsigned_answer", "names no server")
	expect(t, rep, "identity.certificate", probe.StatusSkipped, "", "did not name itself")
	if rep.Outcome() != probe.ClassNone || rep.Result != probe.StatusWarn {
		t.Errorf("outcome %d, result %s", rep.Outcome(), rep.Result)
	}
}

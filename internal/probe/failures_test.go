package probe_test

import (
	"net"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/probe"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// want is what one check must say.
type want struct {
	id      string
	status  probe.Status
	reason  string
	finding string
}

// Every failure a peer can show, each against a server made to fail that
// way: the check that finds it, its status, reason and finding, the checks
// it stops, and the class of the report (imictl probe's exit code).
func TestFailures(t *testing.T) {
	tests := []struct {
		name string
		// setup makes the failure and returns the target to probe.
		setup func(t *testing.T, f *federation, cfg *probe.Config) string
		class probe.Class
		want  []want
	}{
		{"wrong root", func(t *testing.T, f *federation, cfg *probe.Config) string {
			cfg.Roots = []*smx509.Certificate{newCA(t, "another federation").Issuer.Cert}
			return f.listed(t, peerOptions{}, httpsig.StatusNormal)
		}, probe.ClassAuth, []want{
			{"address.directory", probe.StatusFail, "unknown_authority", "the management server cannot be authenticated"},
			{"address.url", probe.StatusSkipped, "", "not run: address.directory failed"},
			{"signed.request", probe.StatusSkipped, "", "not run: address.directory failed"},
		}},
		{"expired certificate", func(t *testing.T, f *federation, cfg *probe.Config) string {
			f.beta = f.issue(t, "beta-im", time.Now().Add(-40*time.Hour), time.Now().Add(-24*time.Hour))
			return f.listed(t, peerOptions{}, httpsig.StatusNormal)
		}, probe.ClassAuth, []want{
			{"identity.chain", probe.StatusOK, "", "issued by the pinned root"},
			{"identity.validity", probe.StatusFail, "cert_expired", "the certificate of beta-im expired at"},
			{"signed.request", probe.StatusSkipped, "", "not run: identity.validity failed"},
		}},
		{"revoked certificate", func(t *testing.T, f *federation, cfg *probe.Config) string {
			f.mgmt.SetCRL(f.ca.CRL(t, f.beta.Cert.SerialNumber))
			return f.listed(t, peerOptions{}, httpsig.StatusNormal)
		}, probe.ClassAuth, []want{
			{"identity.revocation", probe.StatusFail, "cert_revoked", ") was revoked at"},
		}},
		{"wrong serverId binding", func(t *testing.T, f *federation, cfg *probe.Config) string {
			srv := f.startPeer(t, peerOptions{})
			f.mgmt.Register(&clienttest.Server{ID: "beta-im", Cert: f.ca.Server(t, "gamma-im").Cert}, srv.URL, httpsig.StatusNormal)
			return "beta-im"
		}, probe.ClassAuth, []want{
			{"identity.binding", probe.StatusFail, "wrong_server_id", `the certificate served for beta-im is bound to "gamma-im"`},
		}},
		// A suspended peer answers signed calls well, but every server
		// refuses them: the round trip passes, the policy check fails.
		{"suspended", func(t *testing.T, f *federation, cfg *probe.Config) string {
			return f.listed(t, peerOptions{}, httpsig.StatusSuspended)
		}, probe.ClassAuth, []want{
			{"address.directory", probe.StatusWarn, "server_suspended", "status 1 (suspended)"},
			{"signed.response", probe.StatusOK, "", "signed by beta-im"},
			{"policy.status", probe.StatusFail, "server_suspended", "beta-im is suspended (status 1): every server refuses its calls and its answers"},
		}},
		// The peer's clock is 10 minutes fast: it refuses our request,
		// and its signed refusal tells by how much.
		{"clock 10 minutes off", func(t *testing.T, f *federation, cfg *probe.Config) string {
			fast := func() time.Time { return time.Now().Add(10 * time.Minute) }
			signer, err := httpsig.NewSigner(f.beta.Key, f.beta.Cert)
			if err != nil {
				t.Fatal(err)
			}
			signer.SetClock(fast)
			return f.listed(t, peerOptions{signer: signer, now: fast}, httpsig.StatusNormal)
		}, probe.ClassAuth, []want{
			{"signed.request", probe.StatusFail, "clock_skew", "beta-im refused our signed request: clock_skew (HTTP 401)"},
			{"signed.response", probe.StatusFail, "clock_skew", "fails our check: clock_skew"},
			{"clock.skew", probe.StatusFail, "clock_skew", "ahead of ours, beyond the ±5m0s window: calls between us are refused"},
		}},
		{"signs with another key", func(t *testing.T, f *federation, cfg *probe.Config) string {
			key, err := pki.GenerateKey()
			if err != nil {
				t.Fatal(err)
			}
			impostor, err := httpsig.NewKeySigner(key, "beta-im")
			if err != nil {
				t.Fatal(err)
			}
			return f.listed(t, peerOptions{signer: impostor}, httpsig.StatusNormal)
		}, probe.ClassAuth, []want{
			{"signed.request", probe.StatusWarn, "unauthenticated_answer", "did not refuse our signature"},
			{"signed.response", probe.StatusFail, "signature_invalid", `does not verify with the certificate of "beta-im"`},
		}},
		// It checks our signature but does not sign its answers.
		{"does not sign", func(t *testing.T, f *federation, cfg *probe.Config) string {
			strip := func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(unsigning{w}, r) })
			}
			return f.listed(t, peerOptions{wrap: strip}, httpsig.StatusNormal)
		}, probe.ClassAuth, []want{
			{"signed.response", probe.StatusFail, "signature_missing", "fails our check: signature_missing"},
			{"clock.skew", probe.StatusSkipped, "", "no signature to read the clock from"},
		}},
		{"closed port", func(t *testing.T, f *federation, cfg *probe.Config) string {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ln.Close()
			f.mgmt.Register(f.beta, "http://"+ln.Addr().String(), httpsig.StatusNormal)
			return "beta-im"
		}, probe.ClassUnavailable, []want{
			{"address.dns", probe.StatusOK, "", "127.0.0.1 is an IP address"},
			{"address.tcp", probe.StatusFail, "connection_refused", ": nothing listens there"},
			{"transport.http", probe.StatusSkipped, "", "not run: address.tcp failed"},
		}},
		{"TLS name mismatch", func(t *testing.T, f *federation, cfg *probe.Config) string {
			tlsCfg, pool := tlsCert(t, []string{"im.example.test"})
			cfg.TLSRoots = pool
			return f.listed(t, peerOptions{tls: tlsCfg}, httpsig.StatusNormal)
		}, probe.ClassAuth, []want{
			{"transport.tls", probe.StatusFail, "tls_name_mismatch", "the TLS certificate is for im.example.test, not 127.0.0.1"},
		}},
		{"TLS from an unknown CA", func(t *testing.T, f *federation, cfg *probe.Config) string {
			tlsCfg, _ := tlsCert(t, nil, net.ParseIP("127.0.0.1"))
			return f.listed(t, peerOptions{tls: tlsCfg}, httpsig.StatusNormal)
		}, probe.ClassAuth, []want{
			{"transport.tls", probe.StatusFail, "tls_unknown_authority", "is not issued by a CA this machine trusts"},
		}},
		// TLS offers HTTP/2 but the server does not speak it: HTTP/1.1
		// works, clients that take the offer get no answer.
		{"HTTP/2 offered but broken", func(t *testing.T, f *federation, cfg *probe.Config) string {
			tlsCfg, pool := tlsCert(t, nil, net.ParseIP("127.0.0.1"))
			cfg.TLSRoots = pool
			return f.listed(t, peerOptions{tls: tlsCfg, brokenH2: true}, httpsig.StatusNormal)
		}, probe.ClassUnavailable, []want{
			{"transport.tls", probe.StatusOK, "", "ALPN h2"},
			{"transport.http", probe.StatusWarn, "http2_failed", "HTTP/1.1 answers; an unsigned request is refused (401 signature_missing) by beta-im, but HTTP/2 failed"},
			{"signed.request", probe.StatusFail, "no_answer", "the signed S8 got no answer"},
		}},
		// The directory's address of beta-im is where gamma-im answers.
		{"another server at the address", func(t *testing.T, f *federation, cfg *probe.Config) string {
			gamma := f.ca.Server(t, "gamma-im")
			f.mgmt.Register(gamma, "http://127.0.0.1:1", httpsig.StatusNormal)
			srv := f.startPeer(t, peerOptions{self: gamma})
			f.mgmt.Register(f.beta, srv.URL, httpsig.StatusNormal)
			return "beta-im"
		}, probe.ClassAuth, []want{
			{"transport.http", probe.StatusFail, "unexpected_origin", `says it is "gamma-im", not "beta-im"`},
		}},
		{"on our black list", func(t *testing.T, f *federation, cfg *probe.Config) string {
			cfg.Policy = httpsig.NewPolicy()
			cfg.Policy.SetDenyList([]string{"beta-im"})
			return f.listed(t, peerOptions{}, httpsig.StatusNormal)
		}, probe.ClassAuth, []want{
			{"signed.response", probe.StatusOK, "", "signed by beta-im"},
			{"policy.lists", probe.StatusFail, "forbidden_by_policy", "beta-im is on your black list"},
		}},
		{"not on our white list", func(t *testing.T, f *federation, cfg *probe.Config) string {
			cfg.Policy = httpsig.NewPolicy()
			cfg.Policy.SetAllowList([]string{"gamma-im"})
			return f.listed(t, peerOptions{}, httpsig.StatusNormal)
		}, probe.ClassAuth, []want{
			{"policy.lists", probe.StatusFail, "forbidden_by_policy", "beta-im is not on your white list"},
		}},
		{"address not a URL", func(t *testing.T, f *federation, cfg *probe.Config) string {
			f.mgmt.Register(f.beta, "im.example.test:8441", httpsig.StatusNormal)
			return "beta-im"
		}, probe.ClassOther, []want{
			{"address.directory", probe.StatusFail, "bad_address", `serverAddress "im.example.test:8441", which is not a base URL`},
			{"address.url", probe.StatusSkipped, "", "not run: address.directory failed"},
		}},
		{"unknown serverId", func(t *testing.T, f *federation, cfg *probe.Config) string {
			return "nobody-im"
		}, probe.ClassAuth, []want{
			{"address.directory", probe.StatusFail, "unknown_server", `does not list "nobody-im"`},
		}},
		// A URL where no interconnection server answers: a warning, and
		// nothing to check beyond it.
		{"not an interconnection server", func(t *testing.T, f *federation, cfg *probe.Config) string {
			return httptestServer(t, http.NotFoundHandler())
		}, probe.ClassNone, []want{
			{"transport.http", probe.StatusWarn, "unsigned_answer", "names no server"},
			{"identity.certificate", probe.StatusSkipped, "", "did not name itself"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFederation(t)
			cfg := f.config()
			rep := run(t, cfg, tt.setup(t, f, &cfg))
			for _, w := range tt.want {
				expect(t, rep, w.id, w.status, w.reason, w.finding)
			}
			wantResult := probe.StatusFail
			if tt.class == probe.ClassNone {
				wantResult = probe.StatusWarn
			}
			if rep.Outcome() != tt.class || rep.Result != wantResult {
				t.Errorf("outcome %d, result %s; want %d, %s", rep.Outcome(), rep.Result, tt.class, wantResult)
			}
		})
	}
}

// The skew is measured, not just noticed: 10 minutes, to the second.
func TestClockSkewMeasured(t *testing.T) {
	f := newFederation(t)
	fast := func() time.Time { return time.Now().Add(10 * time.Minute) }
	signer, err := httpsig.NewSigner(f.beta.Key, f.beta.Cert)
	if err != nil {
		t.Fatal(err)
	}
	signer.SetClock(fast)
	rep := run(t, f.config(), f.listed(t, peerOptions{signer: signer, now: fast}, httpsig.StatusNormal))
	// created is in seconds: the measure is 10m0s, or a second off when a
	// second boundary falls between signing and receiving.
	if c := rep.Check("clock.skew"); !regexp.MustCompile(`the clock of beta-im is (9m59s|10m0s|10m1s) ahead of ours`).MatchString(c.Finding) {
		t.Errorf("clock.skew: %s", c.Finding)
	}
}

// unsigning drops the signature headers as the response goes out.
type unsigning struct{ http.ResponseWriter }

func (u unsigning) WriteHeader(code int) {
	u.Header().Del("Signature")
	u.Header().Del("Signature-Input")
	u.ResponseWriter.WriteHeader(code)
}

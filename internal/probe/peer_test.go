package probe_test

import (
	"net"
	"testing"

	"github.com/imictl/imictl/internal/probe"
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

package clienttest_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// directory is what the test does to a management server: register
// alpha-im and beta-im, suspend beta-im, and ask M1 as alpha-im.
type directory struct {
	public  *client.Public
	suspend func()
}

// The stand-in answers M1 as the real management server does, through the
// one client both are called with.
func TestMgmtM1AsTheRealOne(t *testing.T) {
	ca := clienttest.NewCA(t)
	stand := clienttest.NewMgmt(t, ca)
	alpha, beta := ca.Server(t, "alpha-im"), ca.Server(t, "beta-im")
	stand.Register(alpha, "http://127.0.0.1:1", httpsig.StatusNormal)
	stand.Register(beta, "http://127.0.0.1:1", httpsig.StatusNormal)
	standIn := directory{public: newPublic(t, client.PublicOptions{BaseURL: stand.URL, Root: ca.Issuer.Cert, Key: alpha.Key, Cert: alpha.Cert}),
		suspend: func() { stand.Register(beta, "http://127.0.0.1:1", httpsig.StatusSuspended) }}

	m := mgmttest.Start(t, mgmttest.Options{})
	ra := m.Register(t, "alpha-im")
	m.Register(t, "beta-im")
	real := directory{public: newPublic(t, client.PublicOptions{BaseURL: m.URL(), Root: m.CA().Root.Cert, Key: ra.Key, Cert: ra.Cert}),
		suspend: func() {
			if _, err := m.Service().Suspend(context.Background(), "beta-im", "admin:test"); err != nil {
				t.Fatal(err)
			}
		}}

	for name, d := range map[string]directory{"stand-in": standIn, "real": real} {
		t.Run(name, func(t *testing.T) {
			ids := func(q api.ServersQuery) ([]string, int64) {
				t.Helper()
				resp, err := d.public.Servers(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range resp.Servers {
					got = append(got, fmt.Sprintf("%s:%d", r.ServerID, r.Status))
				}
				return got, resp.ServerTime
			}
			expect := func(q api.ServersQuery, want ...string) int64 {
				t.Helper()
				got, serverTime := ids(q)
				if !slices.Equal(got, want) {
					t.Errorf("%+v: %q, want %q", q, got, want)
				}
				return serverTime
			}
			since := expect(api.ServersQuery{}, "alpha-im:0", "beta-im:0")
			expect(api.ServersQuery{ServerIDs: []string{"beta-im", "nobody-im", "beta-im"}}, "beta-im:0")
			expect(api.ServersQuery{LastQueryTime: since})
			d.suspend()
			next := expect(api.ServersQuery{LastQueryTime: since}, "beta-im:1")
			expect(api.ServersQuery{LastQueryTime: since, ServerIDs: []string{"alpha-im"}})
			expect(api.ServersQuery{LastQueryTime: next})
			if next <= since {
				t.Errorf("serverTime went from %d to %d across a change", since, next)
			}
		})
	}
}

func newPublic(t *testing.T, o client.PublicOptions) *client.Public {
	t.Helper()
	p, err := client.NewPublic(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

package imserver

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/imictl/imictl/internal/ops"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// TestMetricsAndReadiness scrapes a running server's /metrics after an
// accepted call, an application refusal and an unsigned call, and parses
// the exposition format as Prometheus would.
func TestMetricsAndReadiness(t *testing.T) {
	w := newWorld(t)
	reg := ops.NewRegistry()
	alpha := w.server(t, "alpha", func(c *Config) { c.Ops = reg.Service("im") })
	alpha.addUser(t, imstore.User{UserID: "alice", Name: "Alice"})
	beta := w.caller(t, "beta", httpsig.StatusNormal, true)
	ctx := context.Background()

	if _, err := beta.client.User(ctx, alpha.peer(), "alice@alpha"); err != nil {
		t.Fatalf("S8 of a local user: %v", err)
	}
	var ce *client.APIError
	if _, err := beta.client.User(ctx, alpha.peer(), "nobody@alpha"); !errors.As(err, &ce) {
		t.Fatalf("S8 of an unknown user: %v, want a refusal", err)
	}
	resp, err := http.Get(alpha.url + "/sns/v1/users?userID=alice@alpha")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	eventually(t, "readiness", func() bool { return reg.Readiness(ctx).Ready })

	srv := httptest.NewServer(reg.Handler())
	defer srv.Close()
	families := scrape(t, srv.URL+"/metrics")
	counter := func(name string, labels map[string]string) float64 {
		t.Helper()
		for _, m := range families[name].GetMetric() {
			if matches(m, labels) {
				return m.GetCounter().GetValue()
			}
		}
		return 0
	}
	users := map[string]string{"service": "im", "endpoint": "/sns/users"}
	if got := counter("imictl_requests_total", with(users, "status", "200", "reason", "")); got != 1 {
		t.Errorf("accepted S8 calls = %v, want 1", got)
	}
	if got := counter("imictl_requests_total", with(users, "status", "404", "reason", ReasonUnknownUser)); got != 1 {
		t.Errorf("S8 calls refused unknown_user = %v, want 1", got)
	}
	if got := counter("imictl_requests_total", with(users, "status", "401", "reason", string(httpsig.ReasonSignatureMissing))); got != 1 {
		t.Errorf("unsigned S8 calls = %v, want 1 (under /sns/users, whichever prefix)", got)
	}
	if got := counter("imictl_signature_verifications_total", map[string]string{"service": "im", "result": "ok"}); got != 2 {
		t.Errorf("verified signatures = %v, want 2", got)
	}
	if got := counter("imictl_signature_verifications_total", map[string]string{"service": "im", "result": string(httpsig.ReasonSignatureMissing)}); got != 1 {
		t.Errorf("missing signatures = %v, want 1", got)
	}
	for _, name := range []string{"imictl_directory_servers", "imictl_directory_age_seconds", "imictl_crl_age_seconds", "imictl_request_duration_seconds", "go_goroutines"} {
		if _, ok := families[name]; !ok {
			t.Errorf("no %s series", name)
		}
	}

	resp, err = http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestReadinessNamesWhatIsWrong: a server whose directory was never
// fetched is not ready, and says why.
func TestReadinessNamesWhatIsWrong(t *testing.T) {
	reg := ops.NewRegistry()
	s := reg.Service("im")
	s.Ready("store", func(context.Context) error { return nil })
	s.Ready("directory", func(context.Context) error { return errors.New("not fetched yet") })
	srv := httptest.NewServer(reg.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz = %d, want 503", resp.StatusCode)
	}
	rep := reg.Readiness(context.Background())
	if rep.Ready || len(rep.Checks) != 2 || !rep.Checks[0].OK || rep.Checks[1].Error != "not fetched yet" {
		t.Fatalf("readiness = %+v", rep)
	}
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return families
}

// matches reports whether m has every label of labels; a label missing
// from m counts as empty, as Prometheus reads it.
func matches(m *dto.Metric, labels map[string]string) bool {
	have := map[string]string{}
	for _, l := range m.GetLabel() {
		have[l.GetName()] = l.GetValue()
	}
	for k, v := range labels {
		if have[k] != v {
			return false
		}
	}
	return true
}

func with(base map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/ops"
)

// A refusal the management server makes before any handler logic (a body
// that is not JSON) is counted with its reason, as every other refusal.
func TestMetricsCountMalformedBodies(t *testing.T) {
	reg := ops.NewRegistry()
	m := startMgmtWith(t, t.TempDir(), func(c *server.Config) { c.Ops = reg.Service("mgmt") })
	resp, err := http.Post(m.URL()+mgmt.PathServerCert, "application/json", strings.NewReader(`{"serverId":`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
	families, err := reg.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "imictl_requests_total" {
			continue
		}
		for _, mt := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range mt.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["endpoint"] == mgmt.PathServerCert && labels["status"] == "400" {
				if labels["reason"] != "invalid_request" || mt.GetCounter().GetValue() != 1 {
					t.Errorf("counted %v with labels %v, want 1 with reason invalid_request", mt.GetCounter().GetValue(), labels)
				}
				return
			}
		}
	}
	t.Error("the malformed M2 call was not counted")
}

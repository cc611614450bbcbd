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
	labels := map[string]string{"endpoint": mgmt.PathServerCert, "status": "400", "reason": "invalid_request"}
	if got := counter(t, reg, "imictl_requests_total", labels); got != 1 {
		t.Errorf("the malformed M2 call counted %v times with %v, want 1", got, labels)
	}
}

// A status call (M4 status), verified with the applicant's own key rather
// than a certificate, counts as a verified signature like every other.
func TestMetricsCountKeyOnlyVerifications(t *testing.T) {
	reg := ops.NewRegistry()
	m := startMgmtWith(t, t.TempDir(), func(c *server.Config) { c.Ops = reg.Service("mgmt") })
	key := newKey(t)
	reqID, err := m.public(t).Submit(bg, submitReq(t, key, "alpha", "https://alpha.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	before := verifications(t, reg, "ok")
	if _, err := m.as(t, key, nil, "alpha").Status(bg, reqID); err != nil {
		t.Fatal(err)
	}
	if got := verifications(t, reg, "ok") - before; got != 1 {
		t.Errorf("a verified status call counted %v verified signatures, want 1", got)
	}
	if _, err := m.as(t, newKey(t), nil, "alpha").Status(bg, reqID); err == nil {
		t.Fatal("a status call signed with another key was accepted")
	}
	if got := verifications(t, reg, "signature_invalid"); got != 1 {
		t.Errorf("a forged status call counted %v signature_invalid, want 1", got)
	}
}

// verifications is imictl_signature_verifications_total{result=result}.
func verifications(t *testing.T, reg *ops.Registry, result string) float64 {
	return counter(t, reg, "imictl_signature_verifications_total", map[string]string{"result": result})
}

// counter is the value of the counter name whose labels include want (0
// when there is none).
func counter(t *testing.T, reg *ops.Registry, name string, want map[string]string) float64 {
	t.Helper()
	families, err := reg.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, mt := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range mt.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue metrics
				}
			}
			return mt.GetCounter().GetValue()
		}
	}
	return 0
}

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
	t.Helper()
	families, err := reg.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "imictl_signature_verifications_total" {
			continue
		}
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == result {
					return mt.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

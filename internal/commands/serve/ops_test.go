package serve_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/imictl/imictl/internal/ops"
)

var opsListening = regexp.MustCompile(`msg="operations endpoints ready" metrics=(http://\S+)/metrics`)

// TestServeOps: with --ops-addr, serve exposes both services' metrics and
// readiness on a listener of its own.
func TestServeOps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := startServe(t, dataDirOpts(dir), "--insecure", "--mgmt-addr", "127.0.0.1:0", "--im-addr", "127.0.0.1:0", "--ops-addr", "127.0.0.1:0")
	base := opsBase(t, s)
	deadline := time.Now().Add(readyTimeout)

	var rep ops.Report
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		rep = ops.Report{}
		err = json.NewDecoder(resp.Body).Decode(&rep)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("/readyz answered %d with no report: %v", resp.StatusCode, err)
		}
		if rep.Ready {
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/readyz ready with status %d", resp.StatusCode)
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !rep.Ready {
		t.Fatalf("never ready: %+v\n%s", rep, s.log)
	}
	services := map[string]bool{}
	for _, c := range rep.Checks {
		services[c.Service] = true
	}
	if !services["mgmt"] || !services["im"] {
		t.Errorf("readiness checks %+v: want both services", rep.Checks)
	}

	// Profiles only with --pprof.
	if resp, err := http.Get(base + "/debug/pprof/heap"); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/debug/pprof/heap without --pprof: HTTP %d, want 404", resp.StatusCode)
	}

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	// The IM server's directory queries (M1) reached the management
	// server, signed: its request and verification series show them.
	found := false
	for _, m := range families["imictl_signature_verifications_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["service"] == "mgmt" && labels["result"] == "ok" && m.GetCounter().GetValue() > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("no verified signatures counted by the management server")
	}
	for _, name := range []string{"imictl_requests_total", "imictl_notifications_pending", "imictl_notification_changes_expanding", "imictl_crl_age_seconds", "imictl_directory_servers"} {
		if _, ok := families[name]; !ok {
			t.Errorf("no %s series", name)
		}
	}
}

// TestServePprof: with --pprof the operations listener serves Go's
// profiles too.
func TestServePprof(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := startServe(t, dataDirOpts(dir), "--insecure", "--mgmt-addr", "127.0.0.1:0", "--im-addr", "127.0.0.1:0", "--ops-addr", "127.0.0.1:0", "--pprof")
	resp, err := http.Get(opsBase(t, s) + "/debug/pprof/heap")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		t.Errorf("/debug/pprof/heap with --pprof: HTTP %d, %d bytes: want 200 and a gzipped profile", resp.StatusCode, len(body))
	}
}

// opsBase waits for serve's log to name the operations listener and
// returns its base URL.
func opsBase(t *testing.T, s *serving) string {
	t.Helper()
	for deadline := time.Now().Add(readyTimeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := opsListening.FindStringSubmatch(s.log.String()); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no operations listener in the log:\n%s", s.log)
	return ""
}

// TestServePprofNeedsOpsAddr: the profiles have no listener of their own.
func TestServePprofNeedsOpsAddr(t *testing.T) {
	res := run(t, dataDirOpts(filepath.Join(t.TempDir(), "data")), 2, nil, "serve", "--pprof", "--insecure")
	if !strings.Contains(res.Stderr, "add --ops-addr") {
		t.Errorf("stderr %q: want it to say to add --ops-addr", res.Stderr)
	}
}

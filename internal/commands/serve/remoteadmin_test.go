package serve_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/mgmt"
)

var remoteAdminLogged = regexp.MustCompile(`msg="management server listening" .*remoteAdmin=(\S*)`)

// The remote admin API listens only when asked, by flag or configuration
// file, and answers unsigned admin calls with a refusal.
func TestServeRemoteAdmin(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	opts := dataDirOpts(dir)
	s := startServe(t, opts, "--mgmt", "--insecure", "--mgmt-addr", "127.0.0.1:0")
	if m := remoteAdminLogged.FindStringSubmatch(s.log.String()); m == nil || m[1] != `""` {
		t.Fatalf("without --admin-addr the log says remoteAdmin=%v:\n%s", m, s.log)
	}
	s.stop()

	cfg := filepath.Join(t.TempDir(), "mgmt.json")
	if err := os.WriteFile(cfg, []byte(`{"adminAddr": ":0"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s = startServe(t, opts, "--mgmt", "--mgmt-addr", "127.0.0.1:0", "--mgmt-config", cfg)
	m := remoteAdminLogged.FindStringSubmatch(s.log.String())
	if m == nil || !strings.HasPrefix(m[1], "http://127.0.0.1:") {
		t.Fatalf("adminAddr \":0\" should listen on loopback; log:\n%s", s.log)
	}
	url := m[1]
	resp, err := http.Get(url + mgmt.AdminTrust)
	if err != nil {
		t.Fatal(err)
	}
	var trust mgmt.AdminTrustInfo
	json.NewDecoder(resp.Body).Decode(&trust)
	resp.Body.Close()
	if resp.StatusCode != 200 || trust.ServerID != "center-im" || len(trust.Certificate) == 0 || len(trust.CRL) == 0 {
		t.Fatalf("trust: HTTP %d %+v", resp.StatusCode, trust)
	}
	resp, err = http.Post(url+mgmt.AdminCRL, "application/json", strings.NewReader(`{"actor":"admin:x"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(body), `"reason":"signature_missing"`) {
		t.Fatalf("an unsigned admin call: HTTP %d %s", resp.StatusCode, body)
	}
}

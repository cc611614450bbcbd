package probe_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/devfed"
	"github.com/imictl/imictl/internal/pki"
)

// startFederation runs a local federation of two IM servers and returns
// the options of commands that sign as dev-1.
func startFederation(t *testing.T) (*devfed.Federation, cmdtest.Options) {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fed, err := devfed.Start(ctx, devfed.Options{DataDir: dir, MgmtAddr: "127.0.0.1:0", IMAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fed.Close() })
	m := fed.Members[0]
	return fed, cmdtest.Options{Now: time.Now(), Env: map[string]string{
		identity.EnvMgmt: fed.MgmtURL, identity.EnvKey: m.Key, identity.EnvCert: m.Cert, identity.EnvRoot: m.Root,
		identity.ConfigEnv: filepath.Join(dir, "none.yaml"),
	}}
}

// report is the JSON of imictl probe.
type report struct {
	Target, Kind, ServerID, URL, Result string
	ExitCode                            int
	Checks                              []struct{ ID, Layer, Status, Reason, Finding, Next string }
}

func probeJSON(t *testing.T, opts cmdtest.Options, want int, args ...string) report {
	t.Helper()
	res := cmdtest.Run(t, opts, append([]string{"probe", "-o", "json"}, args...)...)
	res.Expect(t, want)
	var r report
	if err := json.Unmarshal([]byte(res.Stdout), &r); err != nil {
		t.Fatalf("%v\n%s", err, res.Stdout)
	}
	if r.ExitCode != want {
		t.Errorf("exitCode %d, want %d", r.ExitCode, want)
	}
	return r
}

func (r report) check(t *testing.T, id, status, reason, finding string) {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			if c.Status != status || c.Reason != reason || !strings.Contains(c.Finding, finding) {
				t.Errorf("%s: %s %q %q; want %s %q %q", id, c.Status, c.Reason, c.Finding, status, reason, finding)
			}
			return
		}
	}
	t.Errorf("no check %s", id)
}

func TestProbeHealthyPeerTable(t *testing.T) {
	fed, opts := startFederation(t)
	res := cmdtest.Run(t, opts, "probe", "dev-2")
	res.Expect(t, 0)
	lines := strings.Split(res.Stdout, "\n")
	if !strings.HasPrefix(lines[0], "STATUS    CHECK                  FINDING") || !strings.Contains(res.Stdout, "\ndev-2: ok\n") || strings.Contains(res.Stdout, "Next:") {
		t.Errorf("stdout:\n%s", res.Stdout)
	}
	for _, want := range []string{"ok        signed.request", "ok        signed.response", "ok        clock.skew", "skipped   transport.tls"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.Stdout)
		}
	}
	r := probeJSON(t, opts, 0, fed.Members[1].URL)
	if r.Kind != "peer" || r.ServerID != "dev-2" || r.URL != fed.Members[1].URL || r.Result != "ok" {
		t.Errorf("%+v", r)
	}
	// --verbose shows both messages of the signed call.
	res = cmdtest.Run(t, opts, "probe", "dev-2", "-v")
	res.Expect(t, 0)
	for _, want := range []string{"* signing as dev-1", "> GET " + fed.Members[1].URL + "/sns/users?userID=imictl-probe-", "< Imi-Origin: dev-2", "> Signature-Input: imi="} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.Stderr)
		}
	}
}

// Exit 4: another federation's root.
func TestProbeWrongRoot(t *testing.T) {
	_, opts := startFederation(t)
	_, other := startFederation(t)
	opts.Env[identity.EnvRoot] = other.Env[identity.EnvRoot]
	r := probeJSON(t, opts, 4, "dev-2")
	// Both roots have the same name: the signature is what differs.
	r.check(t, "address.directory", "fail", "bad_signature", "the management server cannot be authenticated")
	r = probeJSON(t, opts, 4)
	r.check(t, "mgmt.root", "fail", "root_mismatch", "which is not your pinned root")
	if r.Kind != "mgmt" {
		t.Errorf("kind %s", r.Kind)
	}
}

// Exit 4: the peer is suspended; the administrator resumes it: exit 0.
func TestProbeSuspendedPeer(t *testing.T) {
	fed, opts := startFederation(t)
	// dev-2 learns dev-1 now: suspended, it could no longer ask the
	// directory, and would refuse us with directory_unavailable.
	probeJSON(t, opts, 0, "dev-2")
	admin := cmdtest.Options{Now: time.Now(), Env: map[string]string{}}
	cmdtest.Run(t, admin, "admin", "suspend", "dev-2", "--data-dir", fed.DataDir, "--yes").Expect(t, 0)
	r := probeJSON(t, opts, 4, "dev-2")
	r.check(t, "policy.status", "fail", "server_suspended", "dev-2 is suspended (status 1)")
	res := cmdtest.Run(t, opts, "probe", "dev-2")
	if !strings.Contains(res.Stderr, "imictl: policy.status failed: its operator asks the management server's administrator to resume it") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	cmdtest.Run(t, admin, "admin", "resume", "dev-2", "--data-dir", fed.DataDir).Expect(t, 0)
	probeJSON(t, opts, 0, "dev-2")
}

// Exit 4: the administrator revokes the peer's certificate.
func TestProbeRevokedPeer(t *testing.T) {
	fed, opts := startFederation(t)
	pemBytes, err := os.ReadFile(fed.Members[1].Cert)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCertificatePEM(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	serial := pki.SerialHex(cert.SerialNumber)
	cmdtest.Run(t, cmdtest.Options{Env: map[string]string{}}, "ca", "revoke", serial, "--reason", "keyCompromise", "--yes", "--data-dir", fed.DataDir).Expect(t, 0)
	r := probeJSON(t, opts, 4, "dev-2")
	r.check(t, "identity.revocation", "fail", "cert_revoked", "the certificate of dev-2 (serial "+serial+") was revoked at")
	r.check(t, "signed.request", "skipped", "", "not run: identity.revocation failed")
}

// Our own black list, read from our running IM server.
func TestProbeOwnPolicy(t *testing.T) {
	fed, opts := startFederation(t)
	own := fed.Members[0].DataDir
	cmdtest.Run(t, opts, "im", "policy", "deny", "dev-2", "--data-dir", own).Expect(t, 0)
	r := probeJSON(t, opts, 4, "dev-2", "--im-data-dir", own)
	r.check(t, "policy.lists", "fail", "forbidden_by_policy", "dev-2 is on your black list")
	res := cmdtest.Run(t, opts, "probe", "dev-2", "--im-data-dir", t.TempDir())
	res.Expect(t, 6)
	if !strings.Contains(res.Stderr, "reading the white/black lists of the IM server of") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

// Exit 6: nothing listens; exit 1: not a management server; exit 4: no
// such server.
func TestProbeUnreachableAndOther(t *testing.T) {
	_, opts := startFederation(t)
	r := probeJSON(t, opts, 6, "http://127.0.0.1:1")
	r.check(t, "address.tcp", "fail", "connection_refused", "connection refused at 127.0.0.1:1")
	web := httptest.NewServer(http.NotFoundHandler())
	defer web.Close()
	opts.Env[identity.EnvMgmt] = web.URL
	r = probeJSON(t, opts, 1)
	r.check(t, "transport.http", "fail", "not_mgmt", "is "+web.URL+" a management server?")
	r = probeJSON(t, opts, 1, "dev-2")
	r.check(t, "address.directory", "fail", "mgmt_failed", "the directory query (M1) for dev-2 failed")
}

func TestProbeUnknownPeer(t *testing.T) {
	_, opts := startFederation(t)
	r := probeJSON(t, opts, 4, "nobody")
	r.check(t, "address.directory", "fail", "unknown_server", `does not list "nobody"`)
}

func TestProbeUsage(t *testing.T) {
	_, opts := startFederation(t)
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	noCert := cmdtest.Options{Env: map[string]string{}}
	for k, v := range opts.Env {
		noCert.Env[k] = v
	}
	delete(noCert.Env, identity.EnvCert)
	for _, tt := range []struct {
		opts cmdtest.Options
		args []string
		want string
	}{
		{opts, []string{"bad.id"}, `"bad.id" is neither a serverId`},
		{opts, []string{"ftp://x"}, `"ftp://x": want a base URL`},
		{opts, []string{"a", "b"}, "accepts at most 1 arg(s)"},
		{opts, []string{"dev-2", "--timeout", "0s"}, "--timeout must be positive"},
		{opts, []string{"dev-2", "--tls-ca", bad}, "holds no PEM certificate"},
		{noCert, []string{"dev-2"}, "missing the certificate of the key to sign with: pass --cert FILE"},
	} {
		res := cmdtest.Run(t, tt.opts, append([]string{"probe"}, tt.args...)...)
		if res.Code != 2 || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, res.Code, res.Stderr, tt.want)
		}
	}
	// An applicant without a certificate may probe the management server.
	noCert.Env[identity.EnvServerID] = "dev-1"
	noCert.Now = time.Now()
	r := probeJSON(t, noCert, 0)
	r.check(t, "mgmt.directory", "skipped", "", "no certificate given (--cert)")
}

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000
	os.Exit(m.Run())
}

package dir_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/dir"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/pki"
)

// world is a running management server with alpha-im and beta-im
// registered; the commands sign as alpha-im.
type world struct {
	*mgmttest.Server
	alpha, beta *mgmttest.Registered
}

func newWorld(t *testing.T) *world {
	t.Helper()
	s := mgmttest.Start(t, mgmttest.Options{})
	return &world{Server: s, alpha: s.Register(t, "alpha-im"), beta: s.Register(t, "beta-im")}
}

func (w *world) run(t *testing.T, args ...string) cmdtest.Result {
	t.Helper()
	o := w.Opts()
	o.Env = w.IdentityEnv(w.alpha)
	return cmdtest.Run(t, o, args...)
}

func decode[T any](t *testing.T, res cmdtest.Result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(res.Stdout), &v); err != nil {
		t.Fatalf("stdout is not the expected JSON: %v\n%s", err, res.Stdout)
	}
	return v
}

func TestList(t *testing.T) {
	w := newWorld(t)
	res := w.run(t, "dir", "list", "-o", "json")
	res.Expect(t, 0)
	got := decode[dir.ListResult](t, res)
	if len(got.Servers) != 2 || got.ServerTime == 0 {
		t.Fatalf("list: %+v", got)
	}
	want := dir.Entry{ServerID: "alpha-im", ServerName: "alpha-im IM", ServerAddress: "http://127.0.0.1:1", Status: "normal",
		ContactName: "Ops alpha-im", ContactEmail: "ops@alpha-im.example.com", ContactMobile: "+86 135-0000-1111"}
	if got.Servers[0] != want || got.Servers[1].ServerID != "beta-im" {
		t.Errorf("list: %+v", got.Servers)
	}
	res = w.run(t, "dir", "list", "--id", "beta-im", "-o", "json")
	res.Expect(t, 0)
	if got := decode[dir.ListResult](t, res); len(got.Servers) != 1 || got.Servers[0].ServerID != "beta-im" {
		t.Errorf("--id beta-im: %+v", got)
	}
	// Nothing changed since serverTime; a suspension shows up after it.
	since := []string{"dir", "list", "-o", "json", "--since", jsonNumber(got.ServerTime)}
	res = w.run(t, since...)
	res.Expect(t, 0)
	if got := decode[dir.ListResult](t, res); len(got.Servers) != 0 {
		t.Errorf("--since: %+v", got)
	}
	if _, err := w.Service().Suspend(bg, "beta-im", "admin:test"); err != nil {
		t.Fatal(err)
	}
	res = w.run(t, since...)
	res.Expect(t, 0)
	if got := decode[dir.ListResult](t, res); len(got.Servers) != 1 || got.Servers[0].Status != "suspended" {
		t.Errorf("--since after a suspension: %+v", got)
	}
	res = w.run(t, "dir", "list")
	res.Expect(t, 0)
	if !strings.HasPrefix(res.Stdout, "SERVERID   NAME          TYPE   STATUS      ADDRESS\n") || !strings.Contains(res.Stdout, "beta-im    beta-im IM    -      suspended   http://127.0.0.1:1") {
		t.Errorf("table:\n%s", res.Stdout)
	}
}

func TestShow(t *testing.T) {
	w := newWorld(t)
	res := w.run(t, "dir", "show", "beta-im", "-o", "json")
	res.Expect(t, 0)
	got := decode[dir.ShowResult](t, res)
	if got.ServerID != "beta-im" || got.Certificate.Serial != pki.SerialHex(w.beta.Cert.SerialNumber) || got.Certificate.Fingerprints != key.FingerprintsOf(w.beta.Cert.Raw) {
		t.Errorf("show: %+v", got)
	}
	res = w.run(t, "dir", "show", "nobody-im")
	res.Expect(t, 7)
	if !strings.Contains(res.Stderr, `the directory has no server "nobody-im"`) {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

func TestCert(t *testing.T) {
	w := newWorld(t)
	pemWant := string(pki.EncodeCertificatePEM(w.beta.Cert.Raw))
	res := w.run(t, "dir", "cert", "beta-im")
	res.Expect(t, 0)
	if res.Stdout != pemWant || res.Stderr != "" {
		t.Errorf("pem: %q, stderr %q", res.Stdout, res.Stderr)
	}
	out := filepath.Join(t.TempDir(), "beta.crt")
	res = w.run(t, "dir", "cert", "beta-im", "--out", out, "-o", "json")
	res.Expect(t, 0)
	got := decode[dir.CertResult](t, res)
	if !got.Verified || got.File != out || got.Serial != pki.SerialHex(w.beta.Cert.SerialNumber) || got.Subject != "CN=beta-im,O=beta-im IM" {
		t.Errorf("json: %+v", got)
	}
	if data, _ := os.ReadFile(out); string(data) != pemWant {
		t.Error("--out did not write the certificate")
	}
	// The management server's own certificate too.
	w.run(t, "dir", "cert", "center-im").Expect(t, 0)

	// Without a root, fetched unchecked and said so; no identity is needed.
	res = cmdtest.Run(t, w.Opts(), "dir", "cert", "beta-im", "-o", "json")
	res.Expect(t, 0)
	if got := decode[dir.CertResult](t, res); got.Verified || !strings.Contains(res.Stderr, "Warning: not verified (no root configured)") {
		t.Errorf("unverified: %+v, stderr %q", got, res.Stderr)
	}
	// A root that did not issue it: exit 4 with the reason.
	other := mgmttest.Start(t, mgmttest.Options{})
	o := w.Opts()
	o.Env[identity.EnvRoot] = other.Root
	res = cmdtest.Run(t, o, "dir", "cert", "beta-im")
	res.Expect(t, 4)
	if !strings.Contains(res.Stderr, "(reason: bad_signature)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = w.run(t, "dir", "cert", "nobody-im")
	res.Expect(t, 7)
}

func TestBootstrap(t *testing.T) {
	w := newWorld(t)
	raw := w.CA().Root.Cert.Raw
	fp := key.FingerprintsOf(raw)
	colon, _ := pki.FormatFingerprint(pki.FingerprintSHA256(raw), "colon")
	o := cmdtest.Options{Env: map[string]string{identity.EnvMgmt: w.URL(), identity.EnvRoot: "/does/not/exist/yet.crt"}}
	for _, given := range []string{fp.SHA256, colon, base64.StdEncoding.EncodeToString(pki.FingerprintSHA256(raw)), fp.SM3} {
		out := filepath.Join(t.TempDir(), "root.crt")
		res := cmdtest.Run(t, o, "dir", "bootstrap", "--fingerprint", given, "--out", out, "-o", "json")
		res.Expect(t, 0)
		if got := decode[mgmtutil.RootInfo](t, res); got.Fingerprints != fp || got.File != out {
			t.Errorf("%s: %+v", given, got)
		}
		if data, _ := os.ReadFile(out); string(data) != string(w.CA().RootPEM()) {
			t.Errorf("%s: the pinned root is not the root", given)
		}
	}

	// Another fingerprint: refused, nothing written.
	other := mgmttest.Start(t, mgmttest.Options{})
	out := filepath.Join(t.TempDir(), "root.crt")
	res := cmdtest.Run(t, o, "dir", "bootstrap", "--fingerprint", key.FingerprintsOf(other.CA().Root.Cert.Raw).SHA256, "--out", out)
	res.Expect(t, 4)
	if !strings.Contains(res.Stderr, "the root certificate's fingerprint does not match") || !strings.Contains(res.Stderr, "(reason: fingerprint_mismatch)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was written: %v", out, err)
	}
	res = cmdtest.Run(t, o, "dir", "bootstrap", "--fingerprint", "not-a-fingerprint", "--out", out)
	res.Expect(t, 2)
	res = cmdtest.Run(t, o, "dir", "bootstrap", "--out", out)
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, `required flag(s) "fingerprint" not set`) {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

func TestDirBadInput(t *testing.T) {
	w := newWorld(t)
	noCert := w.IdentityEnv(w.alpha)
	delete(noCert, identity.EnvCert)
	noCert[identity.EnvServerID] = "alpha-im"
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"list without a certificate", noCert, []string{"dir", "list"}, 2, "missing the certificate of the key to sign with: pass --cert FILE"},
		{"bad id", w.IdentityEnv(w.alpha), []string{"dir", "list", "--id", "a b"}, 2, `invalid --id "a b"`},
		{"negative since", w.IdentityEnv(w.alpha), []string{"dir", "list", "--since", "-1"}, 2, "--since must not be negative"},
		{"show malformed", w.IdentityEnv(w.alpha), []string{"dir", "show", "a/b"}, 2, `invalid serverId "a/b"`},
		{"no mgmt", map[string]string{identity.ConfigEnv: filepath.Join(t.TempDir(), "none")}, []string{"dir", "cert", "beta-im"}, 2, "missing the management server's base URL: pass --mgmt URL"},
	}
	for _, tt := range tests {
		res := cmdtest.Run(t, cmdtest.Options{Env: tt.env}, tt.args...)
		if res.Code != tt.code || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, res.Code, res.Stderr, tt.code, tt.want)
		}
	}
}

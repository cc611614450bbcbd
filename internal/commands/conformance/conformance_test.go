package conformance_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/conformance"
	"github.com/imictl/imictl/internal/conformance/conformancetest"
	"github.com/imictl/imictl/internal/pki"
)

// report is the JSON of a run, as scripts read it.
type report struct {
	Target  struct{ ServerID, BaseURL string }
	Caller  string
	Passed  int
	Failed  int
	Skipped int
	Results []struct{ ID, Area, Title, Status, Detail string }
}

func TestDevAgainstReference(t *testing.T) {
	ref := conformancetest.Start(t)
	junit := filepath.Join(t.TempDir(), "conformance.xml")
	res := cmdtest.Run(t, cmdtest.Options{}, "conformance", ref.IMURL, "--dev", "--data-dir", ref.MgmtDataDir, "--mgmt", ref.Mgmt.URL(),
		"--user", ref.User(), "--group", ref.Group, "--junit", junit, "-o", "json")
	res.Expect(t, 0)
	var rep report
	if err := json.Unmarshal([]byte(res.Stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, res.Stdout)
	}
	if rep.Failed != 0 || rep.Skipped != 0 || rep.Passed != len(conformance.Cases()) || len(rep.Results) != rep.Passed {
		t.Errorf("passed %d, failed %d, skipped %d of %d cases", rep.Passed, rep.Failed, rep.Skipped, len(conformance.Cases()))
	}
	if rep.Target.ServerID != ref.IMID || !strings.HasPrefix(rep.Caller, "conformance-") {
		t.Errorf("target %+v, caller %q", rep.Target, rep.Caller)
	}
	var doc struct {
		Tests int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal(cmdtest.ReadFile(t, junit), &doc); err != nil || doc.Tests != rep.Passed {
		t.Errorf("JUnit: %+v %v", doc, err)
	}
	// The throwaway identity is cancelled: its serverId is retired.
	srv, err := ref.Mgmt.Service().Server(context.Background(), rep.Caller)
	if err != nil || srv.Status != 2 {
		t.Errorf("%s after the run: %+v %v", rep.Caller, srv, err)
	}
	if !strings.Contains(res.Stderr, "registered the throwaway identity "+rep.Caller) {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

func TestOwnIdentityByServerID(t *testing.T) {
	ref := conformancetest.Start(t)
	key, cert := ref.Register(t, "vendor-suite", "http://127.0.0.1:9")
	dir := t.TempDir()
	keyPEM, err := pki.EncodePrivateKeyPEM(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := cmdtest.Run(t, cmdtest.Options{}, "conformance", ref.IMID,
		"--key", cmdtest.WriteFile(t, dir, "key.pem", keyPEM),
		"--cert", cmdtest.WriteFile(t, dir, "cert.pem", pki.EncodeCertificatePEM(cert.Raw)),
		"--root", cmdtest.WriteFile(t, dir, "root.crt", ref.RootPEM()),
		"--mgmt", ref.Mgmt.URL())
	res.Expect(t, 0)
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	cases := conformance.Cases()
	if len(lines) != len(cases)+2 {
		t.Fatalf("%d lines for %d cases:\n%s", len(lines), len(cases), res.Stdout)
	}
	skipped := 0
	for i, c := range cases {
		f := strings.Fields(lines[i])
		if len(f) < 2 || f[1] != c.ID || (f[0] != "pass" && f[0] != "skip") {
			t.Errorf("line %d: %s", i, lines[i])
		}
		if f[0] == "skip" {
			skipped++
			if !strings.Contains(lines[i], "--user") && !strings.Contains(lines[i], "--group") {
				t.Errorf("a skip that does not say why: %s", lines[i])
			}
		}
	}
	want := "0 failed, " + strconv.Itoa(skipped) + " skipped (target ref-im at " + ref.IMURL + ", signed as vendor-suite)"
	if skipped == 0 || !strings.HasSuffix(lines[len(lines)-1], want) {
		t.Errorf("summary %q, want ... %q", lines[len(lines)-1], want)
	}
}

// TestFailingTargetExits1 runs the suite against the management server
// named as an IM server: it does not serve the interfaces, so cases fail,
// each saying what it answered, and the exit status is 1.
func TestFailingTargetExits1(t *testing.T) {
	ref := conformancetest.Start(t)
	res := cmdtest.Run(t, cmdtest.Options{}, "conformance", ref.Mgmt.URL(), "--to", "center-im", "--dev", "--data-dir", ref.MgmtDataDir,
		"--mgmt", ref.Mgmt.URL(), "--run", `^sec\.unsigned$`)
	res.Expect(t, 1)
	if !strings.HasPrefix(res.Stdout, "fail  sec.unsigned") || !strings.Contains(res.Stdout, "want HTTP 401 with reason signature_missing, got HTTP 404") {
		t.Errorf("stdout: %s", res.Stdout)
	}
	if !strings.Contains(res.Stdout, "0 passed, 1 failed, 0 skipped") || !strings.Contains(res.Stderr, "the target does not conform") {
		t.Errorf("stdout: %s\nstderr: %s", res.Stdout, res.Stderr)
	}
}

func TestNotAnIMServer(t *testing.T) {
	ref := conformancetest.Start(t)
	res := cmdtest.Run(t, cmdtest.Options{}, "conformance", ref.Mgmt.URL(), "--dev", "--data-dir", ref.MgmtDataDir, "--mgmt", ref.Mgmt.URL())
	res.Expect(t, 1)
	if !strings.Contains(res.Stderr, "not 421 wrong_destination") || !strings.Contains(res.Stderr, "Pass its serverId with --to") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

func TestUsage(t *testing.T) {
	dir := t.TempDir()
	existing := cmdtest.WriteFile(t, dir, "exists.xml", []byte("x"))
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no target", []string{"conformance"}, 2, "which server? pass TARGET"},
		{"bad target", []string{"conformance", "ftp://x"}, 2, `TARGET "ftp://x": want the server's base URL`},
		{"bad run", []string{"conformance", "http://127.0.0.1:1", "--run", "("}, 2, "--run"},
		{"bad user", []string{"conformance", "http://127.0.0.1:1", "--user", "nobody"}, 2, `--user "nobody"`},
		{"bad group", []string{"conformance", "http://127.0.0.1:1", "--group", "g/1@x"}, 2, `--group "g/1@x"`},
		{"dev without mgmt", []string{"conformance", "http://127.0.0.1:1", "--dev", "--data-dir", dir}, 2, "--dev needs the management server"},
		{"dev and key", []string{"conformance", "http://127.0.0.1:1", "--dev", "--key", "k.pem"}, 2, "dev"},
		{"junit exists", []string{"conformance", "http://127.0.0.1:1", "--junit", existing}, 1, "already exists: pass --force"},
		{"no identity", []string{"conformance", "http://127.0.0.1:1"}, 2, "--cert"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{}, tt.args...)
			res.Expect(t, tt.code)
			if !strings.Contains(res.Stderr, tt.want) {
				t.Errorf("stderr: %s", res.Stderr)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "x" {
		t.Errorf("the existing --junit file changed: %q", b)
	}
}

func TestList(t *testing.T) {
	res := cmdtest.Run(t, cmdtest.Options{}, "conformance", "--list", "-o", "json")
	res.Expect(t, 0)
	var cases []struct {
		ID    string
		Needs []string
	}
	if err := json.Unmarshal([]byte(res.Stdout), &cases); err != nil || len(cases) != len(conformance.Cases()) {
		t.Fatalf("%v: %s", err, res.Stdout)
	}
	for _, c := range cases {
		if c.Needs == nil {
			t.Errorf("%s: needs is null, want []", c.ID)
		}
	}
}

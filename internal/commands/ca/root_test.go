package ca_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
)

func TestRoot(t *testing.T) {
	s := mgmttest.Start(t, mgmttest.Options{})
	rootPEM := string(s.CA().RootPEM())
	fp := key.FingerprintsOf(s.CA().Root.Cert.Raw)

	res := run(t, s, "ca", "root")
	res.Expect(t, 0)
	if res.Stdout != rootPEM {
		t.Errorf("stdout %q", res.Stdout)
	}
	res = run(t, s, "ca", "root", "--fingerprint")
	res.Expect(t, 0)
	if res.Stdout != fp.SHA256+"\n" {
		t.Errorf("--fingerprint: %q, want %s", res.Stdout, fp.SHA256)
	}
	res = run(t, s, "ca", "root", "--fingerprint", "-o", "json")
	res.Expect(t, 0)
	if got := decode[key.Fingerprints](t, res); got != fp {
		t.Errorf("--fingerprint -o json: %+v", got)
	}

	out := filepath.Join(t.TempDir(), "root.crt")
	res = run(t, s, "ca", "root", "--out", out, "-o", "json")
	res.Expect(t, 0)
	info := decode[mgmtutil.RootInfo](t, res)
	if info.File != out || info.Fingerprints != fp || info.PEM != rootPEM || string(cmdtest.ReadFile(t, out)) != rootPEM {
		t.Errorf("--out: %+v", info)
	}
	res = run(t, s, "ca", "root", "--out", out)
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "already exists: pass --force") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = run(t, s, "ca", "root", "--out", out, "-o", "pem", "--force")
	res.Expect(t, 2)

	res = cmdtest.Run(t, cmdtest.Options{Env: map[string]string{cmdutil.DataDirEnv: t.TempDir()}}, "ca", "root")
	res.Expect(t, 1)
	if !strings.Contains(res.Stderr, "no CA here yet: create one with `imictl ca init`") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

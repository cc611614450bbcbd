package admin_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// admin requests and approve over the remote admin API, the administrator
// named by the environment, with no data directory at hand.
func TestRemoteReview(t *testing.T) {
	w := newWorld(t, false, mgmttest.Options{RemoteAdmin: true})
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	der, _ := pki.CreateAdminCSR(k, "carol")
	keyPEM, _ := pki.EncodePrivateKeyPEM(k, nil)
	keyFile := w.WriteFile(t, "carol.key", keyPEM)
	csrFile := w.WriteFile(t, "carol.csr", pki.EncodeCSRPEM(der))
	certFile := filepath.Join(w.Dir, "carol.crt")
	w.run(t, "ca", "sign", csrFile, "--admin", "carol", "--out", certFile).Expect(t, 0)

	opts := w.Opts()
	opts.Env = map[string]string{
		cmdutil.DataDirEnv:    filepath.Join(t.TempDir(), "nowhere"),
		mgmtutil.EnvAdminURL:  w.AdminURL(),
		mgmtutil.EnvAdminKey:  keyFile,
		mgmtutil.EnvAdminCert: certFile,
		mgmtutil.EnvRoot:      w.Root,
		"IMICTL_CONFIG":       filepath.Join(w.Dir, "no-config.yaml"),
	}
	res := cmdtest.Run(t, opts, "admin", "requests", "--state", "pending", "-o", "json")
	res.Expect(t, 0)
	if apps := decode[[]map[string]any](t, res); len(apps) != 2 || apps[0]["id"] != "req-3" {
		t.Fatalf("remote requests: %+v", apps)
	}
	res = cmdtest.Run(t, opts, "admin", "approve", "req-3", "--yes", "--reviewer", "admin:mallory", "-o", "json")
	res.Expect(t, 0)
	w.Check(t, func(adm mgmt.Admin) {
		app, err := adm.Request(bg, "req-3")
		if err != nil || app.State != store.StateApproved || app.Reviewer != "admin:carol" {
			t.Errorf("req-3 after the remote approval: %+v, %v", app, err)
		}
	})

	// The same from a context of the config file.
	ctxOpts := w.Opts()
	ctxOpts.Env = map[string]string{
		cmdutil.DataDirEnv: opts.Env[cmdutil.DataDirEnv],
		"IMICTL_CONFIG":    filepath.Join(t.TempDir(), "config.yaml"),
	}
	cmdtest.Run(t, ctxOpts, "config", "set-context", "ops", "--admin-url", w.AdminURL(), "--admin-key", keyFile,
		"--admin-cert", certFile, "--root", w.Root, "--current").Expect(t, 0)
	res = cmdtest.Run(t, ctxOpts, "admin", "requests", "--state", "pending", "-o", "json")
	res.Expect(t, 0)
	if apps := decode[[]map[string]any](t, res); len(apps) != 1 || apps[0]["id"] != "req-4" {
		t.Fatalf("remote requests from the context: %+v", apps)
	}

	res = cmdtest.Run(t, opts, "admin", "backup", "--out", filepath.Join(t.TempDir(), "b.tgz"))
	res.Expect(t, cmdutil.ExitUsage)
	if !strings.Contains(res.Stderr, "not offered over the remote admin API") {
		t.Errorf("remote backup: %s", res.Stderr)
	}

	// A server's certificate is no administrator's: exit 4, nothing sent.
	opts.Env[mgmtutil.EnvAdminKey], opts.Env[mgmtutil.EnvAdminCert] = w.alpha.KeyFile, w.alpha.CertFile
	res = cmdtest.Run(t, opts, "admin", "approve", "req-4", "--yes")
	res.Expect(t, 4)
	if !strings.Contains(res.Stderr, "not an administrator's") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

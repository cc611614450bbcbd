package register_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000
	os.Exit(m.Run())
}

var bg = context.Background()

// world is a running management server with alpha-im registered (req-1).
type world struct {
	*mgmttest.Server
	alpha *mgmttest.Registered
}

func newWorld(t *testing.T) *world {
	t.Helper()
	s := mgmttest.Start(t, mgmttest.Options{})
	return &world{Server: s, alpha: s.Register(t, "alpha-im")}
}

// opts are the options of a command run with the management URL and the
// pinned root in the environment, plus env.
func (w *world) opts(env ...string) cmdtest.Options {
	o := w.Opts()
	o.Env[identity.EnvRoot] = w.Root
	for i := 0; i+1 < len(env); i += 2 {
		o.Env[env[i]] = env[i+1]
	}
	return o
}

// asAlpha are options signing as the registered alpha-im.
func (w *world) asAlpha() cmdtest.Options {
	return w.opts(identity.EnvKey, w.alpha.KeyFile, identity.EnvCert, w.alpha.CertFile)
}

// submitArgs are the flags of a complete registration of a.
func submitArgs(a *mgmttest.Applicant) []string {
	r := a.SubmitRequest()
	return []string{"register", "submit", "--csr", a.CSRFile, "--name", r.ServerName, "--address", "https://im." + a.ID + ".example.com",
		"--contact-name", r.ContactName, "--contact-email", r.ContactEmail, "--contact-mobile", r.ContactMobile, "--owner-id", r.OwnerID}
}

func decode[T any](t *testing.T, res cmdtest.Result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(res.Stdout), &v); err != nil {
		t.Fatalf("stdout is not the expected JSON: %v\n%s", err, res.Stdout)
	}
	return v
}

func (w *world) approve(t *testing.T, id string) store.Application {
	t.Helper()
	a, err := w.Service().Approve(bg, id, "admin:test", "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (w *world) server(t *testing.T, id string) store.Server {
	t.Helper()
	var s store.Server
	w.Check(t, func(adm mgmt.Admin) {
		var err error
		if s, err = adm.Server(bg, id); err != nil {
			t.Fatal(err)
		}
	})
	return s
}

func cancelReq(id string) api.CancelRequest {
	return api.CancelRequest{ServerID: id, Reason: "closing down"}
}

// tamperCSR flips a bit of the CSR's signature, keeping it parseable.
func tamperCSR(t *testing.T, csrPEM []byte) []byte {
	t.Helper()
	csr, err := pki.ParseCSR(csrPEM)
	if err != nil {
		t.Fatal(err)
	}
	der := append([]byte(nil), csr.Raw...)
	der[len(der)-3] ^= 1
	return pki.EncodeCSRPEM(der)
}

package admin_test

import (
	"context"
	"encoding/json"
	"os"
	"os/user"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/pki"
)

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000 // keep encrypted CA keys fast; OpenSSL reads any count
	os.Exit(m.Run())
}

var bg = context.Background()

// modes are the two ways the commands reach the management server: its
// admin socket while it runs, its database once it is stopped.
var modes = []struct {
	name string
	stop bool
}{{"running", false}, {"stopped", true}}

// world is a management server with registered servers alpha-im (req-1)
// and beta-im (req-2) and pending applications from gamma-im (req-3) and
// delta-im (req-4), in a mode.
type world struct {
	*mgmttest.Server
	alpha, beta *mgmttest.Registered
}

func newWorld(t *testing.T, stop bool, o mgmttest.Options) *world {
	t.Helper()
	s := mgmttest.Start(t, o)
	w := &world{Server: s, alpha: s.Register(t, "alpha-im"), beta: s.Register(t, "beta-im")}
	s.Submit(t, s.NewApplicant(t, "gamma-im"))
	s.Submit(t, s.NewApplicant(t, "delta-im"))
	if stop {
		s.Stop()
	}
	return w
}

func (w *world) run(t *testing.T, args ...string) cmdtest.Result {
	t.Helper()
	return cmdtest.Run(t, w.Opts(), args...)
}

func decode[T any](t *testing.T, res cmdtest.Result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(res.Stdout), &v); err != nil {
		t.Fatalf("stdout is not the expected JSON: %v\n%s\nstderr: %s", err, res.Stdout, res.Stderr)
	}
	return v
}

// osActor is the default reviewer: admin:<OS user>.
func osActor(t *testing.T) string {
	u, err := user.Current()
	if err != nil {
		t.Skip("no OS user:", err)
	}
	return "admin:" + u.Username
}

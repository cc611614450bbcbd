package ca_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/pki"
)

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000 // keep encrypted CA keys fast; OpenSSL reads any count
	os.Exit(m.Run())
}

// modes are the two ways the commands reach the management server: its
// admin socket while it runs, its database once it is stopped.
var modes = []struct {
	name string
	stop bool
}{{"running", false}, {"stopped", true}}

// world is a management server with one registered server, in a mode.
func world(t *testing.T, stop bool, o mgmttest.Options) (*mgmttest.Server, *mgmttest.Registered) {
	t.Helper()
	s := mgmttest.Start(t, o)
	r := s.Register(t, "alpha-im")
	if stop {
		s.Stop()
	}
	return s, r
}

func run(t *testing.T, s *mgmttest.Server, args ...string) cmdtest.Result {
	t.Helper()
	return cmdtest.Run(t, s.Opts(), args...)
}

func decode[T any](t *testing.T, res cmdtest.Result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(res.Stdout), &v); err != nil {
		t.Fatalf("stdout is not the expected JSON: %v\n%s", err, res.Stdout)
	}
	return v
}

// scripted answers one question.
func scripted(title, value string) *prompt.Scripted {
	return prompt.NewScripted(prompt.Answer{Title: title, Value: value})
}

package im_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands"
	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/im/imtest"
	"github.com/imictl/imictl/internal/pki"
)

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000 // no key here is encrypted, but keep any that would be cheap
	os.Exit(m.Run())
}

// world is the management server and two IM servers, first and second.
type world struct {
	*imtest.World
	first, second *imtest.IM
}

func newWorld(t *testing.T) *world {
	w := &world{World: imtest.Start(t)}
	w.first = w.IM(t, "first")
	w.second = w.IM(t, "second")
	return w
}

// im runs `imictl im ARGS --data-dir DIR` against server s.
func im(t *testing.T, s *imtest.IM, args ...string) cmdtest.Result {
	t.Helper()
	return cmdtest.Run(t, cmdtest.Options{}, append(append([]string{"im"}, args...), "--data-dir", s.DataDir)...)
}

// imJSON runs the command with -o json, expects success and decodes
// standard output into v.
func imJSON(t *testing.T, s *imtest.IM, v any, args ...string) {
	t.Helper()
	res := im(t, s, append(args, "-o", "json")...)
	res.Expect(t, 0)
	if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, res.Stdout)
	}
}

// runCtx runs imictl with args under ctx (for commands that wait), on a
// pipe, and returns what it printed.
func runCtx(ctx context.Context, args ...string) cmdtest.Result {
	f, stdout, stderr := cmdtest.NewFactory(cmdtest.Options{})
	code := commands.Run(ctx, f, args)
	return cmdtest.Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

// timeout bounds a command that waits for a delivery: far more than a
// passing run needs.
const timeout = 20 * time.Second

// compact is JSON without the indentation -o json adds.
func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// usageCase is a command line refused as misuse (exit 2, nothing on
// stdout), and what stderr must say.
type usageCase struct {
	args []string
	want string
}

func expectUsage(t *testing.T, s *imtest.IM, cases []usageCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := im(t, s, tt.args...)
			res.Expect(t, cmdutil.ExitUsage)
			if !strings.Contains(res.Stderr, tt.want) || res.Stdout != "" {
				t.Errorf("stderr %q\nwant %q", res.Stderr, tt.want)
			}
		})
	}
}

package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands"
	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/identity"
)

// syncBuffer is serve --dev's standard output, read while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// devServing is serve --dev running in the test process.
type devServing struct {
	out    *syncBuffer
	cancel context.CancelFunc
	code   chan int
}

// startDev runs `imictl serve --dev args...` and waits until it has
// printed what to try.
func startDev(t *testing.T, args ...string) *devServing {
	t.Helper()
	d := &devServing{out: &syncBuffer{}, code: make(chan int, 1)}
	f, _, _ := cmdtest.NewFactory(cmdtest.Options{Now: time.Now()})
	f.IOStreams.Out, f.IOStreams.ErrOut = d.out, io.Discard
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() { d.code <- commands.Run(ctx, f, append([]string{"serve", "--dev"}, args...)) }()
	t.Cleanup(func() { d.stop() })
	deadline := time.After(readyTimeout)
	for !strings.Contains(d.out.String(), "imictl conformance") {
		select {
		case c := <-d.code:
			d.cancel = nil
			t.Fatalf("serve --dev exited with %d:\n%s", c, d.out)
		case <-deadline:
			t.Fatalf("serve --dev did not start:\n%s", d.out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return d
}

// stop interrupts serve --dev and returns its exit code.
func (d *devServing) stop() int {
	if d.cancel == nil {
		return 0
	}
	d.cancel()
	d.cancel = nil
	return <-d.code
}

// The local federation runs the commands it prints: a message from alice
// to bob, and a probe of dev-2 and of the management server, all passing.
func TestServeDev(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dev")
	d := startDev(t, "--dev-servers", "3", "--data-dir", dir, "--mgmt-addr", "127.0.0.1:0", "--im-addr", "127.0.0.1:0")
	printed := d.out.String()
	for _, want := range []string{"IM server          dev-1", "IM server          dev-3", "user carol", "imictl probe dev-2\n"} {
		if !strings.Contains(printed, want) {
			t.Errorf("output lacks %q:\n%s", want, printed)
		}
	}
	env := map[string]string{identity.ConfigEnv: filepath.Join(dir, "none.yaml")}
	export := regexp.MustCompile(`export (.*)\n`).FindStringSubmatch(printed)
	if export == nil {
		t.Fatalf("no export line:\n%s", printed)
	}
	for _, kv := range strings.Fields(export[1]) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	opts := cmdtest.Options{Env: env, Now: time.Now()}

	send := regexp.MustCompile(`  imictl (im send .*)\n`).FindStringSubmatch(printed)
	if send == nil {
		t.Fatalf("no im send line:\n%s", printed)
	}
	words := regexp.MustCompile(`"[^"]*"|\S+`).FindAllString(send[1], -1)
	for i, w := range words {
		words[i] = strings.Trim(w, `"`)
	}
	cmdtest.Run(t, opts, words...).Expect(t, 0)
	wait, stop := context.WithTimeout(context.Background(), readyTimeout)
	defer stop()
	inbox := runCtx(wait, opts, "im", "inbox", "bob", "--wait", "--data-dir", filepath.Join(dir, "dev-2"), "-o", "json")
	if inbox.Code != 0 || !strings.Contains(inbox.Stdout, "Hello from dev-1") {
		t.Errorf("inbox: exit %d\n%s%s", inbox.Code, inbox.Stdout, inbox.Stderr)
	}

	res := cmdtest.Run(t, opts, "probe", "dev-2", "--im-data-dir", filepath.Join(dir, "dev-1"), "-o", "json")
	res.Expect(t, 0)
	var rep struct {
		Result   string `json:"result"`
		ExitCode int    `json:"exitCode"`
		Checks   []struct{ ID, Status, Finding string }
	}
	if err := json.Unmarshal([]byte(res.Stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Result != "ok" || rep.ExitCode != 0 || len(rep.Checks) < 15 {
		t.Errorf("%s", res.Stdout)
	}
	for _, c := range rep.Checks {
		if c.Status != "ok" && !(c.ID == "transport.tls" && c.Status == "skipped") {
			t.Errorf("%s: %s: %s", c.ID, c.Status, c.Finding)
		}
	}
	cmdtest.Run(t, opts, "probe").Expect(t, 0)

	// The same directory cannot run twice.
	again := cmdtest.Run(t, opts, "serve", "--dev", "--data-dir", dir, "--mgmt-addr", "127.0.0.1:0", "--im-addr", "127.0.0.1:0")
	again.Expect(t, 6)
	if !strings.Contains(again.Stderr, "another management server is running on "+dir) {
		t.Errorf("stderr: %s", again.Stderr)
	}

	if c := d.stop(); c != 0 {
		t.Errorf("serve --dev exited with %d", c)
	}
}

func TestServeDevBadFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--dev", "--dev-servers", "0"}, "--dev-servers 0: want 1 to 16"},
		{[]string{"--dev-servers", "3"}, "--dev-servers goes with --dev"},
		{[]string{"--dev", "--im"}, "if any flags in the group [dev im] are set none of the others can be"},
		{[]string{"--dev", "--mgmt-url", "http://127.0.0.1:1"}, "[dev mgmt-url]"},
	} {
		res := cmdtest.Run(t, dataDirOpts(t.TempDir()), append([]string{"serve"}, tt.args...)...)
		if res.Code != 2 || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, res.Code, res.Stderr, tt.want)
		}
	}
}

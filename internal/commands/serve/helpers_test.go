package serve_test

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands"
	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/pki"
)

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000
	os.Exit(m.Run())
}

// readyTimeout bounds the wait for a server to start: a guard against a
// hang, not a measurement.
const readyTimeout = 20 * time.Second

// serving is `imictl serve` running in the test process.
type serving struct {
	URL, RootSHA256 string
	log             *logWriter
	cancel          context.CancelFunc
	code            chan int
}

// startServe runs `imictl serve args...` until stop, and waits until every
// service is started.
func startServe(t *testing.T, opts cmdtest.Options, args ...string) *serving {
	t.Helper()
	s := &serving{log: &logWriter{ready: make(chan struct{})}, code: make(chan int, 1)}
	f, _, _ := cmdtest.NewFactory(opts)
	f.IOStreams.ErrOut = s.log
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.code <- commands.Run(ctx, f, append([]string{"serve"}, args...)) }()
	select {
	case <-s.log.ready:
	case code := <-s.code:
		cancel()
		t.Fatalf("serve exited with %d before listening:\n%s", code, s.log)
	case <-time.After(readyTimeout):
		cancel()
		t.Fatalf("serve did not start:\n%s", s.log)
	}
	s.log.mu.Lock()
	s.URL, s.RootSHA256 = s.log.url, s.log.root
	s.log.mu.Unlock()
	t.Cleanup(func() { s.stop() })
	return s
}

// stop interrupts serve, as Ctrl-C does, and returns its exit code.
func (s *serving) stop() int {
	if s.cancel == nil {
		return 0
	}
	s.cancel()
	s.cancel = nil
	return <-s.code
}

// logWriter is serve's standard error: it keeps the log, notes where the
// management server listens, and is ready once serve says it serves.
type logWriter struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	ready     chan struct{}
	url, root string
}

var listening = regexp.MustCompile(`msg="management server listening" url=(\S+) .* rootSHA256=([0-9a-f]{64})`)

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if m := listening.FindSubmatch(p); m != nil {
		w.url, w.root = string(m[1]), string(m[2])
	}
	if bytes.Contains(p, []byte(`msg="serving; `)) {
		close(w.ready)
	}
	return w.buf.Write(p)
}

func (w *logWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// runCtx runs imictl with args under ctx (for the commands that wait),
// and returns what it printed.
func runCtx(ctx context.Context, opts cmdtest.Options, args ...string) cmdtest.Result {
	f, stdout, stderr := cmdtest.NewFactory(opts)
	code := commands.Run(ctx, f, args)
	return cmdtest.Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

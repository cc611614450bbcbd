package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	// The binary is built from the command tree: importing it makes a
	// change anywhere in it invalidate go test's cached results.
	_ "github.com/imictl/imictl/internal/commands"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// imictl is the binary under test, built once by TestMain.
var imictl string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "imictl-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	imictl = filepath.Join(dir, "imictl")
	build := exec.Command("go", "build", "-o", imictl, "github.com/imictl/imictl/cmd/imictl")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building imictl: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// waitFor bounds every wait of these tests: a guard against a hang on a
// loaded machine, not a measurement.
const waitFor = 40 * time.Second

// proc is one `imictl serve` child process.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
	err  error // the exit, once done is closed
}

// syncBuffer is a child's standard error, read while it is written.
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

// serve starts `imictl serve args...` and waits until it says it serves.
func serve(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	p := startProc(t, name, append([]string{"serve", "--insecure"}, args...)...)
	p.waitLog(`msg="serving; `)
	return p
}

// startProc starts imictl args... without waiting for anything.
func startProc(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, log: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(imictl, args...)
	p.cmd.Stderr, p.cmd.Stdout = p.log, p.log
	p.cmd.Env = append(os.Environ(), "IMICTL_PASSWORD_FILE=", "IMICTL_DATA_DIR=")
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s's log:\n%s", p.name, p.log)
		}
	})
	return p
}

// waitLog waits until the log matches re; it fails the test if the
// process exits first.
func (p *proc) waitLog(re string) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if m := rx.FindStringSubmatch(p.log.String()); m != nil {
			return m
		}
		select {
		case <-p.done:
			p.t.Fatalf("%s exited (%v) before logging %q:\n%s", p.name, p.err, re, p.log)
		case <-time.After(20 * time.Millisecond):
		}
	}
	p.t.Fatalf("%s did not log %q:\n%s", p.name, re, p.log)
	return nil
}

// kill ends the process with SIGKILL and waits for it.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop ends the process with SIGTERM, as an init system does, and
// returns its exit code.
func (p *proc) stop() int {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	return p.exit()
}

// exit waits for the process to end by itself and returns its exit code.
func (p *proc) exit() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(waitFor):
		p.t.Fatalf("%s did not exit:\n%s", p.name, p.log)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	return 0
}

// result is what one imictl command printed and its exit code.
type result struct {
	stdout, stderr string
	code           int
}

// run runs imictl args... to completion.
func run(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	cmd := exec.CommandContext(ctx, imictl, args...)
	cmd.Env = append(os.Environ(), "IMICTL_PASSWORD_FILE=", "IMICTL_DATA_DIR=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("imictl %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// must runs imictl args... and fails the test unless it exits 0.
func must(t *testing.T, args ...string) string {
	t.Helper()
	r := run(t, args...)
	if r.code != 0 {
		t.Fatalf("imictl %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// freeAddr is a loopback host:port free a moment ago, for a server that
// must come back on the same address after a restart.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// eventually polls cond every 50ms until it holds, at most waitFor.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// world is a management server and the IM servers registered with it, each
// a child process with its own data directory.
type world struct {
	t       *testing.T
	dir     string
	mgmt    *proc
	mgmtDir string
	mgmtURL string
	mgmtArg string // --mgmt-addr of the first start, kept for restarts
	root    string
	ims     map[string]*im
}

// im is one IM server of a world.
type im struct {
	id, dataDir, addr string
	proc              *proc
	admin             *adminclient.Client
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, dir: t.TempDir(), ims: map[string]*im{}}
	w.mgmtDir = filepath.Join(w.dir, "mgmt")
	w.mgmtArg = freeAddr(t)
	w.startMgmt()
	w.root = filepath.Join(w.dir, "root.crt")
	must(t, "ca", "root", "--data-dir", w.mgmtDir, "--out", w.root)
	return w
}

// startMgmt starts (or restarts) the management server on its address.
func (w *world) startMgmt() {
	w.t.Helper()
	w.mgmt = serve(w.t, "mgmt", "--mgmt", "--data-dir", w.mgmtDir, "--mgmt-addr", w.mgmtArg)
	w.mgmtURL = w.mgmt.waitLog(`msg="management server listening" url=(\S+)`)[1]
}

// addIM registers an IM server id (an administrator approving it), starts
// it and waits until it serves. Its delivery retries are fast (tests).
func (w *world) addIM(id string) *im {
	w.t.Helper()
	return w.addIMAdvertising(id, "")
}

// addIMAdvertising is addIM with the serverAddress registered for it
// (default: where it listens).
func (w *world) addIMAdvertising(id, address string) *im {
	t := w.t
	t.Helper()
	s := &im{id: id, dataDir: filepath.Join(w.dir, id), addr: freeAddr(t)}
	if address == "" {
		address = "http://" + s.addr
	}
	s.admin = adminclient.New(imserver.SocketPath(s.dataDir))
	t.Cleanup(func() { s.admin.Close() })
	writeConfig(t, s.dataDir, fmt.Sprintf(`{"serverId": %q, "address": %q, "listen": %q, "mgmtURL": %q,
  "delivery": {"retryBase": "50ms", "retryMax": "1s"}, "directoryRefresh": "1s"}`, id, address, s.addr, w.mgmtURL))
	req := w.apply(s)
	must(t, "admin", "approve", req, "--data-dir", w.mgmtDir)
	w.ims[id] = s
	s.waitReady(t)
	return s
}

// apply starts s for the first time, which applies for its registration,
// and returns the request id it logs.
func (w *world) apply(s *im) string {
	w.t.Helper()
	s.proc = serve(w.t, s.id, "--im", "--data-dir", s.dataDir, "--root", w.root)
	return s.proc.waitLog(`requestId=(req-\d+)`)[1]
}

func writeConfig(t *testing.T, dataDir, cfg string) {
	t.Helper()
	if err := os.MkdirAll(imserver.Dir(dataDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(imserver.ConfigPath(dataDir), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitReady waits until the IM server answers on its admin socket.
func (s *im) waitReady(t *testing.T) {
	t.Helper()
	eventually(t, s.id+" to serve", func() bool {
		_, err := s.admin.Status(context.Background())
		return err == nil
	})
}

// restart starts the IM server again after it stopped or was killed.
func (s *im) restart(t *testing.T) {
	t.Helper()
	s.proc = serve(t, s.id, "--im", "--data-dir", s.dataDir)
	s.waitReady(t)
}

// addUsers gives the IM server users named prefix0..prefixN-1.
func (s *im) addUsers(t *testing.T, prefix string, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		u := fmt.Sprintf("%s%d", prefix, i)
		must(t, "im", "user", "add", u, "--name", u, "--data-dir", s.dataDir)
		out = append(out, u)
	}
	return out
}

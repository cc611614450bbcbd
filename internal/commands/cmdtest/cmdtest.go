// Package cmdtest runs imictl commands in memory for tests:
//
//	res := cmdtest.Run(t, cmdtest.Options{}, "version", "-o", "json")
//	res.Expect(t, 0)
//	cmdtest.Golden(t, "version.json", res.Stdout)
//
// The streams are a pipe unless Options.TTY is set; go test -update rewrites
// golden files under the calling package's testdata/. cmdtest imports the
// whole command tree, so use it from external test packages (package key_test);
// internal tests build their options with iostreams.Test and
// prompt.NewScripted instead. cmdtest owns the -update test flag: do not
// define another one in a package that imports it.
package cmdtest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/prompt"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Options shape one run. The zero value is a pipe with empty stdin, no
// prompter, an empty environment and a fixed clock.
type Options struct {
	TTY      bool              // stdin and stdout are terminals
	Stdin    string            // what the command reads on standard input
	Prompter prompt.Prompter   // answers when TTY; nil fails any question
	Env      map[string]string // what Factory.Getenv sees
	Now      time.Time         // the clock; zero means FixedNow
	// Setup may change the factory further (lazy dependencies).
	Setup func(*cmdutil.Factory)
}

// FixedNow is the default clock of tests.
var FixedNow = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// Result is what a run produced.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// NewFactory returns a factory over in-memory streams shaped by opts, and
// the buffers behind its standard output and standard error.
func NewFactory(opts Options) (f *cmdutil.Factory, stdout, stderr *bytes.Buffer) {
	ios, in, stdout, stderr := iostreams.Test()
	in.WriteString(opts.Stdin)
	ios.SetStdinTTY(opts.TTY)
	ios.SetStdoutTTY(opts.TTY)
	now := opts.Now
	if now.IsZero() {
		now = FixedNow
	}
	p := opts.Prompter
	if p == nil {
		p = prompt.NewScripted()
	}
	f = &cmdutil.Factory{
		IOStreams: ios,
		Prompter:  func() prompt.Prompter { return p },
		Now:       func() time.Time { return now },
		Getenv:    func(k string) string { return opts.Env[k] },
	}
	if opts.Setup != nil {
		opts.Setup(f)
	}
	return f, stdout, stderr
}

// Run runs imictl with args.
func Run(t testing.TB, opts Options, args ...string) Result {
	t.Helper()
	f, stdout, stderr := NewFactory(opts)
	code := commands.Run(context.Background(), f, args)
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

// Expect fails the test unless the run exited with code; it shows stderr.
func (r Result) Expect(t testing.TB, code int) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("exit code %d, want %d\nstderr:\n%s\nstdout:\n%s", r.Code, code, r.Stderr, r.Stdout)
	}
}

// Golden compares got with testdata/<name> in the calling package's
// directory; with -update it writes got there instead.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v (run go test -update to create it)", path, err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

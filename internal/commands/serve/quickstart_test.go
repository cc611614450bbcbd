package serve_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/pki"
)

// readmeSections are the README's sections that TestQuickStart runs, in
// order: each goes on from where the one before left off.
var readmeSections = []string{"Quick start", "A group across three servers", "Registering a vendor's server"}

// The README's quick start, its group across three servers and its
// registration walk-through, run as written: every line of their sh
// blocks, in order, in an empty directory. Each `./imictl serve` runs in
// the background, on free ports instead of the default ones (the other
// lines then use the addresses it got); a line may say which exit code it
// expects with "# exit N"; any line this test cannot run fails it, so the
// README cannot drift from what works.
func TestQuickStart(t *testing.T) {
	var lines []string
	for _, title := range readmeSections {
		lines = append(lines, readmeSection(t, "../../../README.md", title)...)
	}
	t.Chdir(t.TempDir())
	defaultURL := "http://" + server.DefaultAddr
	env := map[string]string{}
	var mgmtURL string
	usedDefault, serves := false, 0
	resolve := func(s string) string {
		if mgmtURL != "" && strings.Contains(s, defaultURL) {
			usedDefault = true
			return strings.ReplaceAll(s, defaultURL, mgmtURL)
		}
		return s
	}
	opts := func() cmdtest.Options {
		o := cmdtest.Options{Env: map[string]string{}, Now: time.Now()}
		for k, v := range env {
			o.Env[k] = resolve(v)
		}
		return o
	}
	var last cmdtest.Result
	var out strings.Builder
	for _, line := range lines {
		words, comment := shellWords(t, line)
		for i, w := range words {
			words[i] = resolve(w)
		}
		switch {
		case len(words) == 0:
		case words[0] == "go":
			// Building: the test runs the commands in-process.
		case words[0] == "export":
			for _, kv := range words[1:] {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("README: cannot run %q", line)
				}
				env[k] = v
			}
		case words[0] == "./imictl" && len(words) > 1 && words[1] == "serve":
			srv := startServe(t, opts(), freePorts(words[2:])...)
			if srv.URL != "" {
				mgmtURL = srv.URL
			}
			serves++
		case words[0] == "./imictl":
			want := 0
			if m := regexp.MustCompile(`^exit (\d+)`).FindStringSubmatch(comment); m != nil {
				want, _ = strconv.Atoi(m[1])
			}
			ctx, cancel := context.WithTimeout(context.Background(), readyTimeout) // --wait lines wait at most this
			last = runCtx(ctx, opts(), words[1:]...)
			cancel()
			if last.Code != want {
				t.Fatalf("README: %s\nexit %d, want %d\nstdout:\n%s\nstderr:\n%s", line, last.Code, want, last.Stdout, last.Stderr)
			}
			out.WriteString(last.Stdout)
		default:
			t.Fatalf("README: the quick start test cannot run %q: use ./imictl, export or go", line)
		}
	}
	if serves != 3 || !usedDefault {
		t.Fatalf("the quick start and the group no longer run three ./imictl serve and talk to the first at %s", defaultURL)
	}

	// The messages went both ways, and bob's group message reached carol
	// on the third server, who saw the members; alice read the history.
	for _, want := range []string{`alice@local-im +text +Hello from local-im`, `bob@second +text +Hello back from second`,
		`(?m)^alice@local-im +owner +Alice$`, `(?m)^carol@third +member +Carol$`,
		`(?m)^1 +\S+ +bob@second +text +Hello, team$`, `(?m)^\w+@second +bob@second +text +Hello, team$`} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("no output matches %s:\n%s", want, out.String())
		}
	}
	// It ends with demo-im registered, its certificate issued by the root.
	root, err := pki.ParseCertificatePEM(cmdtest.ReadFile(t, "root.crt"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCertificatePEM(cmdtest.ReadFile(t, "server.crt"))
	if err != nil {
		t.Fatal(err)
	}
	roots := smx509.NewCertPool()
	roots.AddCert(root)
	if err := pki.VerifyCertificate(cert, pki.VerifyOptions{Roots: roots, ServerID: "demo-im"}); err != nil {
		t.Errorf("server.crt: %v", err)
	}
	if !strings.Contains(last.Stdout, "demo-im    Demo IM") || !strings.Contains(last.Stdout, "normal") {
		t.Errorf("the last step shows:\n%s", last.Stdout)
	}
}

// freePorts makes serve's arguments listen on free ports: --mgmt-addr and
// --im-addr are set to port 0 for each service it runs.
func freePorts(args []string) []string {
	out := make([]string, 0, len(args)+4)
	has := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		has[a] = true
		out = append(out, a)
		if (a == "--mgmt-addr" || a == "--im-addr") && i+1 < len(args) {
			out = append(out, "127.0.0.1:0")
			i++
		}
	}
	runsIM, runsMgmt := has["--im"] || !has["--mgmt"], has["--mgmt"] || !has["--im"]
	if runsMgmt && !has["--mgmt-addr"] {
		out = append(out, "--mgmt-addr", "127.0.0.1:0")
	}
	if runsIM && !has["--im-addr"] {
		out = append(out, "--im-addr", "127.0.0.1:0")
	}
	return out
}

// readmeSection returns the lines of the sh blocks of the section "##
// title" of the README at path, with "\" continuations joined and "&&"
// lists split.
func readmeSection(t *testing.T, path, title string) []string {
	t.Helper()
	data := string(cmdtest.ReadFile(t, path))
	_, section, ok := strings.Cut(data, "\n## "+title+"\n")
	if !ok {
		t.Fatalf("%s has no %s section", path, title)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var lines []string
	inBlock, cont := false, ""
	for l := range strings.SplitSeq(section, "\n") {
		switch {
		case strings.HasPrefix(l, "```sh"):
			inBlock = true
		case strings.HasPrefix(l, "```"):
			inBlock = false
		case inBlock:
			if s, ok := strings.CutSuffix(l, "\\"); ok {
				cont += s
				continue
			}
			// "a && b" runs as two lines: the test stops at the first failure too.
			lines = append(lines, strings.Split(cont+l, " && ")...)
			cont = ""
		}
	}
	if len(lines) == 0 {
		t.Fatalf("%s: no sh block in the %s section", path, title)
	}
	return lines
}

// shellWords splits a command line as sh does for the simple lines of the
// README: words separated by blanks, '...' and "..." quoting, and a
// trailing # comment, which it returns apart.
func shellWords(t *testing.T, line string) (words []string, comment string) {
	t.Helper()
	var w strings.Builder
	inWord := false
	var quote rune
	for i, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		case r == '#' && !inWord:
			return words, strings.TrimSpace(line[i+1:])
		case r == '\\' || r == '$' || r == '`' || r == '|' || r == '>' || r == '<' || r == ';' || r == '&':
			t.Fatalf("README: the quick start test does not interpret %q in %q: keep the lines simple", r, line)
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("README: unterminated quote in %q", line)
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, ""
}

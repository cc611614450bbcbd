package serve_test

import (
	"os"
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

// The README's quick start, run as written: every line of its sh blocks,
// in order, in an empty directory. `./imictl serve` runs in the background
// (on a free port instead of the default one, which the other lines then
// use); a line may say which exit code it expects with "# exit N"; any
// line this test cannot run fails it, so the README cannot drift from
// what works.
func TestQuickStart(t *testing.T) {
	lines := quickStart(t, "../../../README.md")
	t.Chdir(t.TempDir())
	defaultURL := "http://" + server.DefaultAddr
	env := map[string]string{}
	var srv *serving
	usedDefault := false
	resolve := func(s string) string {
		if srv != nil && strings.Contains(s, defaultURL) {
			usedDefault = true
			return strings.ReplaceAll(s, defaultURL, srv.URL)
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
	for _, line := range lines {
		words, comment := shellWords(t, line)
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
			srv = startServe(t, opts(), append(words[2:], "--mgmt-addr", "127.0.0.1:0")...)
		case words[0] == "./imictl":
			args := make([]string, len(words)-1)
			for i, w := range words[1:] {
				args[i] = resolve(w)
			}
			want := 0
			if m := regexp.MustCompile(`^exit (\d+)`).FindStringSubmatch(comment); m != nil {
				want, _ = strconv.Atoi(m[1])
			}
			last = cmdtest.Run(t, opts(), args...)
			if last.Code != want {
				t.Fatalf("README: %s\nexit %d, want %d\nstdout:\n%s\nstderr:\n%s", line, last.Code, want, last.Stdout, last.Stderr)
			}
		default:
			t.Fatalf("README: the quick start test cannot run %q: use ./imictl, export or go", line)
		}
	}
	if srv == nil || !usedDefault {
		t.Fatalf("the quick start no longer runs ./imictl serve and talks to it at %s", defaultURL)
	}

	// It ends with demo-im registered, its certificate issued by the root.
	root, err := pki.ParseCertificatePEM(readFile(t, "root.crt"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCertificatePEM(readFile(t, "server.crt"))
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

// quickStart returns the lines of the sh blocks of the "## Quick start"
// section of the README at path, with "\" continuations joined.
func quickStart(t *testing.T, path string) []string {
	t.Helper()
	data := string(readFile(t, path))
	_, section, ok := strings.Cut(data, "\n## Quick start\n")
	if !ok {
		t.Fatalf("%s has no Quick start section", path)
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
			lines = append(lines, cont+l)
			cont = ""
		}
	}
	if len(lines) == 0 {
		t.Fatalf("%s: no sh block in the Quick start section", path)
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

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

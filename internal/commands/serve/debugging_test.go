package serve_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/pki"
)

// The README's "Debugging a peer", run as written in an empty directory:
// serve --dev in the background (on free ports), then each line; each
// probe must print the checks, with the statuses, of the output shown
// after it, and exit as its "# exit N" comment says. The serial of the
// certificate revoked is the one serve --dev issued this time.
func TestReadmeDebuggingAPeer(t *testing.T) {
	const readme = "../../../README.md"
	lines := readmeSection(t, readme, "Debugging a peer")
	tables := readmeTables(t, readme, "Debugging a peer")
	t.Chdir(t.TempDir())
	defaultURL := "http://" + server.DefaultAddr
	var mgmtURL string
	env := map[string]string{}
	serial := regexp.MustCompile(`\b[0-9a-f]{32}\b`)
	probes := 0
	for _, line := range lines {
		words, comment := shellWords(t, line)
		for i, w := range words {
			if mgmtURL != "" {
				words[i] = strings.ReplaceAll(w, defaultURL, mgmtURL)
			}
		}
		switch {
		case len(words) == 0:
		case words[0] == "./imictl" && len(words) > 2 && words[1] == "serve" && words[2] == "--dev":
			d := startDev(t, freePorts(words[3:])...)
			m := regexp.MustCompile(`management server  center-im  (\S+)`).FindStringSubmatch(d.out.String())
			if m == nil {
				t.Fatalf("serve --dev printed no management server URL:\n%s", d.out)
			}
			mgmtURL = m[1]
		case words[0] == "export":
			for _, kv := range words[1:] {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
		case words[0] == "./imictl":
			if words[1] == "ca" && words[2] == "revoke" {
				cert, err := pki.ParseCertificatePEM(cmdtest.ReadFile(t, "imictl-dev/dev-2/im/identity/cert.pem"))
				if err != nil {
					t.Fatal(err)
				}
				words[3] = serial.ReplaceAllString(words[3], pki.SerialHex(cert.SerialNumber))
			}
			want := 0
			if m := regexp.MustCompile(`^exit (\d+)`).FindStringSubmatch(comment); m != nil {
				want, _ = strconv.Atoi(m[1])
			}
			res := cmdtest.Run(t, cmdtest.Options{Env: env, Now: time.Now()}, words[1:]...)
			if res.Code != want {
				t.Fatalf("README: %s\nexit %d, want %d\n%s%s", line, res.Code, want, res.Stdout, res.Stderr)
			}
			if words[1] != "probe" {
				continue
			}
			if probes >= len(tables) {
				t.Fatalf("README: no output shown after %s", line)
			}
			if got := statusColumns(res.Stdout); got != tables[probes] {
				t.Errorf("README: %s prints\n%s\nbut the README shows\n%s", line, got, tables[probes])
			}
			probes++
		default:
			t.Fatalf("README: this test cannot run %q: use ./imictl or export", line)
		}
	}
	if probes != len(tables) || probes == 0 {
		t.Errorf("ran %d probes for %d tables of checks in the README", probes, len(tables))
	}
}

// readmeTables returns the status and check columns of the probe tables
// shown in the section "## title".
func readmeTables(t *testing.T, path, title string) []string {
	t.Helper()
	_, section, _ := strings.Cut(string(cmdtest.ReadFile(t, path)), "\n## "+title+"\n")
	section, _, _ = strings.Cut(section, "\n## ")
	var tables []string
	for _, block := range strings.Split(section, "```")[1:] {
		if strings.HasPrefix(block, "\nSTATUS ") {
			tables = append(tables, statusColumns(block))
		}
	}
	return tables
}

var checkRow = regexp.MustCompile(`(?m)^(ok|warn|fail|skipped) +(\S+) `)

// statusColumns keeps the status and the check of each row of a probe
// table, the part that does not change from run to run.
func statusColumns(table string) string {
	var b strings.Builder
	for _, m := range checkRow.FindAllStringSubmatch(table, -1) {
		b.WriteString(m[1] + " " + m[2] + "\n")
	}
	return b.String()
}

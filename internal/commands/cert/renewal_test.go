package cert_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cert"
	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// The fixture leaf is valid from 2024-06-01 to 2034-06-01 (3652 days).
func TestNeedsRenewal(t *testing.T) {
	leaf := fixture(t, "leaf.crt")
	subject := "Subject:         CN=vrv_linkdood,OU=IM,O=VRV Tech,L=Haidian,ST=Beijing,C=CN\n" +
		"Not after:       2034-06-01T00:00:00Z\n"
	tests := []struct {
		name string
		now  time.Time
		args []string
		code int
		want string // "" skips the comparison
	}{
		{"default window, early", cmdtest.FixedNow, nil, cmdutil.ExitFailure, subject +
			"Remaining:       3436d20h\n" +
			"Renew within:    33% of the lifetime (1205d3h)\n" +
			"Needs renewal:   no\n"},
		{"default window, two thirds passed", date(2031, 3, 1), nil, cmdutil.ExitOK, subject +
			"Remaining:       1188d0h\n" +
			"Renew within:    33% of the lifetime (1205d3h)\n" +
			"Needs renewal:   yes\n"},
		{"days, inside", date(2034, 5, 15), []string{"--expires-in", "30d"}, cmdutil.ExitOK, subject +
			"Remaining:       17d0h\n" +
			"Renew within:    30d\n" +
			"Needs renewal:   yes\n"},
		{"days, outside", date(2034, 4, 1), []string{"--expires-in", "30d"}, cmdutil.ExitFailure, ""},
		{"fractional days", date(2034, 5, 31), []string{"--expires-in", "1.5d"}, cmdutil.ExitOK, ""},
		{"Go duration, inside", date(2034, 5, 15), []string{"--expires-in", "720h"}, cmdutil.ExitOK, ""},
		{"Go duration, outside", date(2034, 4, 1), []string{"--expires-in", "720h"}, cmdutil.ExitFailure, ""},
		{"hours and minutes left", date(2034, 5, 31).Add(90 * time.Minute), []string{"--expires-in", "1h"}, cmdutil.ExitFailure, subject +
			"Remaining:       22h30m\n" +
			"Renew within:    1h\n" +
			"Needs renewal:   no\n"},
		{"expired", date(2035, 1, 1), []string{"--expires-in", "0s"}, cmdutil.ExitOK, subject +
			"Remaining:       -214d0h\n" +
			"Renew within:    0s\n" +
			"Needs renewal:   yes\n"},
		{"100% of the lifetime", date(2024, 6, 2), []string{"--expires-in", "100%"}, cmdutil.ExitOK, ""},
		{"not yet valid", date(2024, 1, 1), []string{"--expires-in", "100%"}, cmdutil.ExitFailure, ""},
	}
	for _, tt := range tests {
		for _, tty := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{false: ", pipe", true: ", terminal"}[tty], func(t *testing.T) {
				res := cmdtest.Run(t, cmdtest.Options{TTY: tty, Now: tt.now}, append([]string{"cert", "needs-renewal", leaf}, tt.args...)...)
				res.Expect(t, tt.code)
				if tt.want != "" && res.Stdout != tt.want {
					t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, tt.want)
				}
				if res.Stderr != "" {
					t.Errorf("stderr = %q: the answer is the exit status", res.Stderr)
				}
			})
		}
	}
}

func TestNeedsRenewalJSON(t *testing.T) {
	res := cmdtest.Run(t, cmdtest.Options{Now: date(2034, 5, 15), Stdin: string(cmdtest.ReadFile(t, fixture(t, "leaf.crt")))},
		"cert", "needs-renewal", "-", "--expires-in", "30d", "-o", "json")
	res.Expect(t, 0)
	want := `{
  "needsRenewal": true,
  "subject": "CN=vrv_linkdood,OU=IM,O=VRV Tech,L=Haidian,ST=Beijing,C=CN",
  "notBefore": "2024-06-01T00:00:00Z",
  "notAfter": "2034-06-01T00:00:00Z",
  "remainingSeconds": 1468800,
  "expiresIn": "30d",
  "renewWithinSeconds": 2592000
}
`
	if res.Stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
	}
}

// Errors never exit 1, which means "no renewal needed".
func TestNeedsRenewalErrors(t *testing.T) {
	leaf := fixture(t, "leaf.crt")
	missing := filepath.Join(t.TempDir(), "missing.crt")
	res := cmdtest.Run(t, cmdtest.Options{}, "cert", "needs-renewal", missing)
	res.Expect(t, cmdutil.ExitNotFound)
	if want := "imictl: cannot read " + missing + ": no such file or directory: check the path\n"; res.Stderr != want {
		t.Errorf("stderr = %q", res.Stderr)
	}
	for _, bc := range badCerts(t) {
		if bc.name == "missing file" {
			continue
		}
		t.Run(bc.name, func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{}, "cert", "needs-renewal", bc.path)
			res.Expect(t, cmdutil.ExitAuth)
			if want := "imictl: " + bc.msg + "\n"; res.Stderr != want {
				t.Errorf("stderr = %q\nwant     %q", res.Stderr, want)
			}
		})
	}
	for _, bad := range []string{"abc", "0%", "101%", "x%", "-1h", "-3d", "1y", ""} {
		res := cmdtest.Run(t, cmdtest.Options{}, "cert", "needs-renewal", leaf, "--expires-in", bad)
		res.Expect(t, cmdutil.ExitUsage)
		want := `imictl: invalid --expires-in "` + bad + `": give a duration (720h), days (30d) or a percentage of the lifetime (33%)`
		if firstLine(res.Stderr) != want {
			t.Errorf("%q: stderr = %q", bad, firstLine(res.Stderr))
		}
	}
}

func TestParseWindow(t *testing.T) {
	lifetime := 300 * 24 * time.Hour
	nb := date(2025, 1, 1)
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"33%", 99 * 24 * time.Hour},
		{"100%", lifetime},
		{"0.5%", 36 * time.Hour},
		{"30d", 30 * 24 * time.Hour},
		{"1.5d", 36 * time.Hour},
		{"0d", 0},
		{"720h", 720 * time.Hour},
		{"90m", 90 * time.Minute},
	} {
		w, err := cert.ParseWindow(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := w.Of(nb, nb.Add(lifetime)); got != tt.want {
			t.Errorf("%q: window %v, want %v", tt.in, got, tt.want)
		}
	}
}

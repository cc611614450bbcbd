package commands_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
)

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStderr string // first line
		wantUsage  string // usage line printed after it
	}{
		{"unknown command", []string{"bogus"}, `imictl: unknown command "bogus" for "imictl"`, "  imictl [command]"},
		{"typo gets a suggestion", []string{"versio"}, `imictl: unknown command "versio" for "imictl"; did you mean "version"?`, "  imictl [command]"},
		{"unknown flag", []string{"version", "--bogus"}, "imictl: unknown flag: --bogus", "  imictl version [flags]"},
		{"unknown shorthand", []string{"version", "-z"}, "imictl: unknown shorthand flag: 'z' in -z", "  imictl version [flags]"},
		{"extra argument", []string{"version", "extra"}, `imictl: unknown command "extra" for "imictl version"`, "  imictl version [flags]"},
		{"bad output format", []string{"version", "-o", "xml"}, `imictl: invalid value "xml" for -o/--output: imictl version accepts table, json, yaml`, "  imictl version [flags]"},
		{"output flag without value", []string{"version", "-o"}, "imictl: flag needs an argument: 'o' in -o", "  imictl version [flags]"},
		{"completion without shell", []string{"completion"}, "imictl: accepts 1 arg(s), received 0", "  imictl completion bash|zsh|fish|powershell [flags]"},
		{"completion for unknown shell", []string{"completion", "tcsh"}, `imictl: invalid argument "tcsh" for "imictl completion"`, "  imictl completion bash|zsh|fish|powershell [flags]"},
		{"unknown help topic", []string{"help", "nope"}, `imictl: unknown help topic "nope": run "imictl help" to list commands`, "  imictl help [command]"},
		{"unknown help subtopic", []string{"help", "version", "nope"}, `imictl: unknown help topic "version nope": run "imictl help" to list commands`, "  imictl help [command]"},
		{"exit-codes takes no argument", []string{"help", "exit-codes", "x"}, `imictl: unknown command "x" for "imictl help exit-codes"`, "  imictl help exit-codes [flags]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{}, tt.args...)
			res.Expect(t, cmdutil.ExitUsage)
			if res.Stdout != "" {
				t.Errorf("stdout = %q, want nothing", res.Stdout)
			}
			first, rest, _ := strings.Cut(res.Stderr, "\n")
			if first != tt.wantStderr {
				t.Errorf("stderr first line = %q, want %q", first, tt.wantStderr)
			}
			if !strings.HasPrefix(rest, "\nUsage:\n"+tt.wantUsage+"\n") {
				t.Errorf("stderr after the message should be the usage, got:\n%s", rest)
			}
		})
	}
}

func TestVersionJSON(t *testing.T) {
	res := cmdtest.Run(t, cmdtest.Options{}, "version", "-o", "json")
	res.Expect(t, 0)
	if res.Stderr != "" {
		t.Errorf("stderr = %q", res.Stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(res.Stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, res.Stdout)
	}
	for _, k := range []string{"version", "goVersion", "platform", "modified"} {
		if _, ok := got[k]; !ok {
			t.Errorf("version -o json lacks %q: %s", k, res.Stdout)
		}
	}
}

func TestHelpExitCodes(t *testing.T) {
	for _, tt := range []struct{ format, golden string }{
		{"table", "exit-codes.txt"},
		{"json", "exit-codes.json"},
		{"yaml", "exit-codes.yaml"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{}, "help", "exit-codes", "-o", tt.format)
			res.Expect(t, 0)
			cmdtest.Golden(t, tt.golden, res.Stdout)
		})
	}
}

func TestHelpExitCodesListsEveryCode(t *testing.T) {
	res := cmdtest.Run(t, cmdtest.Options{}, "help", "exit-codes", "-o", "json")
	res.Expect(t, 0)
	var got []cmdutil.ExitCodeInfo
	if err := json.Unmarshal([]byte(res.Stdout), &got); err != nil {
		t.Fatal(err)
	}
	for i, c := range got {
		if c.Code != i {
			t.Errorf("entry %d has code %d: the table must list 0..%d in order", i, c.Code, len(got)-1)
		}
	}
	if len(got) != cmdutil.ExitNotFound+1 {
		t.Errorf("listed %d codes, want %d", len(got), cmdutil.ExitNotFound+1)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{}, {"help"}, {"--help"}, {"help", "version"}, {"version", "--help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{}, args...)
			res.Expect(t, 0)
			if res.Stderr != "" {
				t.Errorf("stderr = %q", res.Stderr)
			}
			if !strings.Contains(res.Stdout, "Usage:\n  imictl") {
				t.Errorf("no usage on stdout:\n%s", res.Stdout)
			}
		})
	}
	res := cmdtest.Run(t, cmdtest.Options{}, "help")
	if !strings.Contains(res.Stdout, `Exit codes: "imictl help exit-codes"`) {
		t.Errorf("root help does not point to exit codes:\n%s", res.Stdout)
	}
}

func TestCompletion(t *testing.T) {
	for shell, marker := range map[string]string{
		"bash":       "__start_imictl",
		"zsh":        "#compdef imictl",
		"fish":       "complete -c imictl",
		"powershell": "Register-ArgumentCompleter",
	} {
		t.Run(shell, func(t *testing.T) {
			res := cmdtest.Run(t, cmdtest.Options{}, "completion", shell)
			res.Expect(t, 0)
			if !strings.Contains(res.Stdout, marker) {
				t.Errorf("%s script lacks %q", shell, marker)
			}
		})
	}
}

// TestDefaultFormatIsTableOnTerminalAndPipe: the default does not change
// when output is piped (grep and less see what the person saw); scripts ask
// for -o json.
func TestDefaultFormatIsTableOnTerminalAndPipe(t *testing.T) {
	pipe := cmdtest.Run(t, cmdtest.Options{}, "help", "exit-codes")
	pipe.Expect(t, 0)
	tty := cmdtest.Run(t, cmdtest.Options{TTY: true}, "help", "exit-codes")
	tty.Expect(t, 0)
	cmdtest.Golden(t, "exit-codes.txt", pipe.Stdout)
	cmdtest.Golden(t, "exit-codes.txt", tty.Stdout)
}

package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/prompt"
)

// TestErrorPrinting checks what reaches stderr, and the exit code, for each
// kind of error a command can return.
func TestErrorPrinting(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantCode   int
		wantStderr string
	}{
		{"plain", errors.New("cannot read server.key: permission denied"), 1, "imictl: cannot read server.key: permission denied\n"},
		{"auth with reason", cmdutil.AuthError("revoked", errors.New("certificate of S1 is revoked")), 4, "imictl: certificate of S1 is revoked (reason: revoked)\n"},
		{"pending", cmdutil.PendingError("registration S1 waits for approval"), 5, "imictl: registration S1 waits for approval\n"},
		{"unavailable", cmdutil.UnavailableError(errors.New("database is locked by a running server: stop it or use --mgmt URL")), 6,
			"imictl: database is locked by a running server: stop it or use --mgmt URL\n"},
		{"not found", cmdutil.NotFoundError("no server S9 in the directory"), 7, "imictl: no server S9 in the directory\n"},
		{"cancelled", cmdutil.ErrCancelled, 3, "imictl: cancelled\n"},
		{"prompt aborted", fmt.Errorf("server id: %w", prompt.ErrCancelled), 3, "imictl: server id: cancelled at the prompt\n"},
		{"silent", &cmdutil.ExitError{Code: 4}, 4, ""},
		{"peer text is escaped, lines kept", errors.New("peer said: \x1b[2Jhi\nsecond line"), 1, "imictl: peer said: \\x1b[2Jhi\nsecond line\n"},
		{"usage from a command", cmdutil.UsageError("--out is required"), 2, "imictl: --out is required\n\nUsage:\n  imictl fail [flags]\n\nFlags:\n  -h, --help   help for fail\n\nGlobal Flags:\n      --no-input        never prompt; a missing value is a usage error naming its flag\n  -o, --output string   output format: table, json or yaml (some commands accept more; see their help)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			f := cmdutil.NewFactory(ios)
			root := NewRootCmd(f)
			root.AddCommand(&cobra.Command{
				Use:  "fail",
				Args: cobra.NoArgs,
				RunE: func(*cobra.Command, []string) error { return tt.err },
			})
			code := execute(context.Background(), f, root, []string{"fail"})
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if errOut.String() != tt.wantStderr {
				t.Errorf("stderr:\n%q\nwant:\n%q", errOut.String(), tt.wantStderr)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out.String())
			}
		})
	}
}

// TestNoInputFlag checks that --no-input reaches the streams before the
// command runs, on a terminal.
func TestNoInputFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"prompt-check"}, true},
		{[]string{"prompt-check", "--no-input"}, false},
		{[]string{"--no-input", "prompt-check"}, false},
	} {
		ios, _, _, _ := iostreams.Test()
		ios.SetStdinTTY(true)
		ios.SetStdoutTTY(true)
		f := cmdutil.NewFactory(ios)
		root := NewRootCmd(f)
		var canPrompt bool
		root.AddCommand(&cobra.Command{
			Use: "prompt-check",
			RunE: func(*cobra.Command, []string) error {
				canPrompt = f.IOStreams.CanPrompt()
				return nil
			},
		})
		if code := execute(context.Background(), f, root, tt.args); code != 0 {
			t.Fatalf("%v: exit %d", tt.args, code)
		}
		if canPrompt != tt.want {
			t.Errorf("%v: CanPrompt = %v, want %v", tt.args, canPrompt, tt.want)
		}
	}
}

// TestRequiredAndGroupedFlagsAreUsageErrors checks cobra's own flag
// constraints exit 2 like every other usage error.
func TestRequiredAndGroupedFlagsAreUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"sign"}, `imictl: required flag(s) "csr" not set`},
		{[]string{"sign", "--csr", "x", "--a", "--b"}, "imictl: if any flags in the group [a b] are set none of the others can be; [a b] were all set"},
	} {
		ios, _, _, errOut := iostreams.Test()
		f := cmdutil.NewFactory(ios)
		root := NewRootCmd(f)
		ran := false
		sign := &cobra.Command{Use: "sign", RunE: func(*cobra.Command, []string) error { ran = true; return nil }}
		sign.Flags().String("csr", "", "")
		sign.Flags().Bool("a", false, "")
		sign.Flags().Bool("b", false, "")
		_ = sign.MarkFlagRequired("csr")
		sign.MarkFlagsMutuallyExclusive("a", "b")
		root.AddCommand(sign)
		if code := execute(context.Background(), f, root, tt.args); code != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d, want 2", tt.args, code)
		}
		if ran {
			t.Errorf("%v: command ran", tt.args)
		}
		if first, _, _ := strings.Cut(errOut.String(), "\n"); first != tt.want {
			t.Errorf("%v: stderr %q, want %q", tt.args, first, tt.want)
		}
	}
}

func TestCancelledContextExitsCancelled(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	f := cmdutil.NewFactory(ios)
	root := NewRootCmd(f)
	root.AddCommand(&cobra.Command{
		Use: "wait",
		RunE: func(cmd *cobra.Command, _ []string) error {
			<-cmd.Context().Done()
			return fmt.Errorf("waiting for the server: %w", cmd.Context().Err())
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := execute(ctx, f, root, []string{"wait"}); code != cmdutil.ExitCancelled {
		t.Errorf("exit %d, want 3", code)
	}
	if errOut.String() != "imictl: waiting for the server: context canceled\n" {
		t.Errorf("stderr = %q", errOut.String())
	}
}

// TestGroupHookDoesNotSkipRootValidation: a group with its own
// PersistentPreRunE must not bypass the root's -o validation.
func TestGroupHookDoesNotSkipRootValidation(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	f := cmdutil.NewFactory(ios)
	root := NewRootCmd(f)
	groupHook, ran := false, false
	group := cmdutil.NewGroupCmd("admin", "Administer")
	group.PersistentPreRunE = func(*cobra.Command, []string) error { groupHook = true; return nil }
	group.AddCommand(&cobra.Command{Use: "list", RunE: func(*cobra.Command, []string) error { ran = true; return nil }})
	root.AddCommand(group)
	if code := execute(context.Background(), f, root, []string{"admin", "list", "-o", "xml"}); code != cmdutil.ExitUsage {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, errOut)
	}
	if groupHook || ran {
		t.Errorf("group hook ran = %v, command ran = %v: the root must reject -o xml first", groupHook, ran)
	}
}

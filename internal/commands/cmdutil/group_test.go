package cmdutil

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestNewGroupCmd(t *testing.T) {
	tests := []struct {
		args     []string
		wantErr  string
		wantHelp bool
	}{
		{[]string{"key"}, "", true},
		{[]string{"key", "gne"}, `unknown command "gne" for "imictl key"; did you mean "gen"?`, false},
		{[]string{"key", "zzz"}, `unknown command "zzz" for "imictl key"`, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			root := &cobra.Command{Use: "imictl", SilenceErrors: true, SilenceUsage: true}
			group := NewGroupCmd("key", "Manage keys")
			group.AddCommand(&cobra.Command{Use: "gen", Run: func(*cobra.Command, []string) {}})
			root.AddCommand(group)
			var out bytes.Buffer
			root.SetOut(&out)
			root.SetArgs(tt.args)
			err := root.Execute()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || ExitCode(err) != ExitUsage {
					t.Fatalf("err = %v, want usage error %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(out.String(), "Available Commands:\n  gen"); got != tt.wantHelp {
				t.Errorf("help printed = %v, want %v:\n%s", got, tt.wantHelp, out.String())
			}
		})
	}
}

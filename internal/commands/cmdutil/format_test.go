package cmdutil

import (
	"testing"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/output"
)

// parsed returns a command under a root with -o, after parsing args.
func parsed(t *testing.T, setup func(*cobra.Command), args ...string) *cobra.Command {
	t.Helper()
	root := &cobra.Command{Use: "imictl"}
	AddOutputFlag(root)
	cmd := &cobra.Command{Use: "inspect", Run: func(*cobra.Command, []string) {}}
	if setup != nil {
		setup(cmd)
	}
	root.AddCommand(cmd)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func TestOutputFormat(t *testing.T) {
	withText := func(c *cobra.Command) { SetOutputFormats(c, "text", "text", "pem") }
	tests := []struct {
		name    string
		setup   func(*cobra.Command)
		args    []string
		want    output.Format
		wantErr string
	}{
		{"default is table", nil, nil, output.Table, ""},
		{"json", nil, []string{"-o", "json"}, output.JSON, ""},
		{"yaml long flag", nil, []string{"--output=yaml"}, output.YAML, ""},
		{"unknown", nil, []string{"-o", "xml"}, "", `invalid value "xml" for -o/--output: imictl inspect accepts table, json, yaml`},
		{"extra format not allowed by default", nil, []string{"-o", "pem"}, "", `invalid value "pem" for -o/--output: imictl inspect accepts table, json, yaml`},
		{"case matters", nil, []string{"-o", "JSON"}, "", `invalid value "JSON" for -o/--output: imictl inspect accepts table, json, yaml`},
		{"command default", withText, nil, "text", ""},
		{"command extra", withText, []string{"-o", "pem"}, "pem", ""},
		{"command still has json", withText, []string{"-o", "json"}, output.JSON, ""},
		{"command lists its formats", withText, []string{"-o", "der"}, "", `invalid value "der" for -o/--output: imictl inspect accepts text, table, json, yaml, pem`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := parsed(t, tt.setup, tt.args...)
			err := ValidateOutputFormat(cmd)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || ExitCode(err) != ExitUsage {
					t.Fatalf("err = %v, want usage error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := OutputFormat(cmd); got != tt.want {
				t.Errorf("OutputFormat = %q, want %q", got, tt.want)
			}
		})
	}
}

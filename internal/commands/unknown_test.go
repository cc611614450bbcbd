package commands

import (
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
)

// Every command group, at any depth, refuses an unknown subcommand as a
// usage error (exit 2) naming it and the group, as the root does, instead
// of printing its help and exiting 0.
func TestUnknownSubcommandOfEveryGroup(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var groups []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() {
			groups = append(groups, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewRootCmd(cmdutil.NewFactory(ios)))
	if len(groups) < 10 {
		t.Fatalf("the walk found only %d groups: %v", len(groups), groups)
	}
	for _, path := range groups {
		args := append(strings.Fields(path)[1:], "frob")
		ios, _, out, errOut := iostreams.Test()
		f := cmdutil.NewFactory(ios)
		code := execute(context.Background(), f, NewRootCmd(f), args)
		want := `imictl: unknown command "frob" for "` + path + `"`
		if path == "imictl help" { // help's argument is a topic
			want = `imictl: unknown help topic "frob"`
		}
		if code != cmdutil.ExitUsage || !strings.HasPrefix(errOut.String(), want) || out.Len() != 0 {
			t.Errorf("%s frob: exit %d, stdout %q, stderr %q; want exit 2 and %q", path, code, out.String(), firstLine(errOut.String()), want)
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

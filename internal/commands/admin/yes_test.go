package admin_test

import (
	"testing"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/admin"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
)

// readOnly are the admin commands that change nothing on the management
// server (backup only writes a file of its own); every other one changes
// state and must take --yes, so that scripts can pass it to each
// of them alike (a no-op where nothing is asked).
var readOnly = map[string]bool{
	"admin requests":      true,
	"admin servers":       true,
	"admin notifications": true,
	"admin audit":         true,
	"admin backup":        true,
}

func TestEveryStateChangingAdminVerbTakesYes(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := admin.NewCmdAdmin(cmdutil.NewFactory(ios))
	seen := map[string]bool{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c == root || !c.Runnable() {
			return
		}
		path := c.CommandPath()
		seen[path] = true
		if readOnly[path] {
			return
		}
		if f := c.Flags().Lookup("yes"); f == nil || f.Shorthand != "y" || f.Value.Type() != "bool" {
			t.Errorf("%q changes state but takes no --yes/-y flag", path)
		}
	}
	walk(root)
	for path := range readOnly {
		if !seen[path] {
			t.Errorf("%q is listed as read-only but is no longer a command: update the list", path)
		}
	}
	for _, path := range []string{"admin approve", "admin reject", "admin suspend", "admin resume", "admin notifications retry"} {
		if !seen[path] {
			t.Errorf("the walk did not reach %q", path)
		}
	}
}

package probe

import (
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/probe"
)

// The exit codes the help and the README promise, one per outcome.
func TestExitCode(t *testing.T) {
	for class, want := range map[probe.Class]int{
		probe.ClassNone:        cmdutil.ExitOK,
		probe.ClassAuth:        cmdutil.ExitAuth,
		probe.ClassUnavailable: cmdutil.ExitUnavailable,
		probe.ClassOther:       cmdutil.ExitFailure,
	} {
		if got := exitCode(class); got != want {
			t.Errorf("exitCode(%d) = %d, want %d", class, got, want)
		}
	}
}

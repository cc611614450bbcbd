package commands

import (
	"github.com/spf13/cobra"

	"context"
	"fmt"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
)

// Main runs imictl with args on real streams and returns the exit code.
func Main(ctx context.Context, ios *iostreams.IOStreams, args []string) int {
	return Run(ctx, cmdutil.NewFactory(ios), args)
}

// Run runs the command tree with args and returns the exit code. Errors are
// printed here, once, as "imictl: <message>" on stderr; usage errors are
// followed by the command's usage.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	return execute(ctx, f, NewRootCmd(f), args)
}

func execute(ctx context.Context, f *cmdutil.Factory, root *cobra.Command, args []string) int {
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	errOut := f.IOStreams.ErrOut
	if !cmdutil.IsSilent(err) {
		fmt.Fprintf(errOut, "imictl: %s\n", output.EscapeControlLines(err.Error()))
	}
	if cmdutil.IsUsageError(err) && cmd != nil {
		fmt.Fprintf(errOut, "\n%s", cmd.UsageString())
	}
	return cmdutil.ExitCode(err)
}

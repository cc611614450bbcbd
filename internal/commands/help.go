package commands

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
)

// newCmdHelp replaces cobra's help command so that it can hold topics such as
// `help exit-codes`, and so that an unknown topic is a usage error.
func newCmdHelp(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  `Help about any command. Topics: "imictl help exit-codes".`,
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return cmdutil.UsageError("unknown help topic %q: run \"imictl help\" to list commands", strings.Join(args, " "))
			}
			return target.Help()
		},
	}
	cmd.AddCommand(newCmdExitCodes(f))
	return cmd
}

func newCmdExitCodes(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "List the exit codes of imictl",
		Long: `List the exit codes every imictl command uses. Scripts can rely on them;
the message on stderr says what went wrong and what to do.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rows := make([][]string, len(cmdutil.ExitCodes))
			for i, c := range cmdutil.ExitCodes {
				rows[i] = []string{strconv.Itoa(c.Code), c.Name, c.Meaning}
			}
			return output.Print(f.IOStreams.Out, cmdutil.OutputFormat(cmd), output.View{
				Data:    cmdutil.ExitCodes,
				Headers: []string{"Code", "Name", "Meaning"},
				Rows:    rows,
			})
		},
	}
}

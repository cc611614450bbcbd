package commands

import (
	"fmt"
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

// exitCodeExceptions names the commands whose codes mean something else, so
// that the one table stays true for every other command.
const exitCodeExceptions = `Exception: "imictl cert needs-renewal" answers a question, as step's does:
0 when the certificate needs renewal, 1 when it does not, 2 usage, 4 not a
readable certificate, 7 no such file (cron: needs-renewal cert.pem && renew).`

func newCmdExitCodes(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "List the exit codes of imictl",
		Long: `List the exit codes every imictl command uses. Scripts can rely on them;
the message on stderr says what went wrong and what to do.

` + exitCodeExceptions,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rows := make([][]string, len(cmdutil.ExitCodes))
			for i, c := range cmdutil.ExitCodes {
				rows[i] = []string{strconv.Itoa(c.Code), c.Name, c.Meaning}
			}
			format := cmdutil.OutputFormat(cmd)
			err := output.Print(f.IOStreams.Out, format, output.View{
				Data:    cmdutil.ExitCodes,
				Headers: []string{"Code", "Name", "Meaning"},
				Rows:    rows,
			})
			if err == nil && format == output.Table {
				_, err = fmt.Fprintf(f.IOStreams.Out, "\n%s\n", exitCodeExceptions)
			}
			return err
		},
	}
}

package cmdutil

import (
	"fmt"

	"github.com/spf13/cobra"
)

// NewGroupCmd returns a command that only holds subcommands (key, ca, ...).
// Run alone it prints its help; with an unknown subcommand it is a usage
// error (cobra would otherwise print help and exit 0, hiding typos in
// scripts).
func NewGroupCmd(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		// Cobra sets this only for the root; typos two edits away get a hint.
		SuggestionsMinimumDistance: 2,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				hint := ""
				if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
					hint = fmt.Sprintf("; did you mean %q?", s[0])
				}
				return UsageError("unknown command %q for %q%s", args[0], cmd.CommandPath(), hint)
			}
			return cmd.Help()
		},
	}
}

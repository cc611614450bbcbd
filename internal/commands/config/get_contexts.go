package config

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
)

// GetContextsOptions are the inputs of `imictl config get-contexts`.
type GetContextsOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
}

// NewCmdGetContexts returns `imictl config get-contexts`.
func NewCmdGetContexts(f *cmdutil.Factory, runF func(*GetContextsOptions) error) *cobra.Command {
	opts := &GetContextsOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:   "get-contexts",
		Short: "List the contexts; * marks the current one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if runF != nil {
				return runF(opts)
			}
			return getContextsRun(f, opts)
		},
	}
}

func getContextsRun(f *cmdutil.Factory, opts *GetContextsOptions) error {
	_, cfg, _, err := load(f)
	if err != nil {
		return err
	}
	return output.Print(opts.IO.Out, opts.Format, contextsView(cfg, rows(cfg)))
}

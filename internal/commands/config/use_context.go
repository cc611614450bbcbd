package config

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
)

// UseContextOptions are the inputs of `imictl config use-context`.
type UseContextOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
	Name   string
}

// NewCmdUseContext returns `imictl config use-context`.
func NewCmdUseContext(f *cmdutil.Factory, runF func(*UseContextOptions) error) *cobra.Command {
	opts := &UseContextOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:   "use-context NAME",
		Short: "Make a context the current one",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return useContextRun(f, opts)
		},
	}
}

func useContextRun(f *cmdutil.Factory, opts *UseContextOptions) error {
	path, cfg, _, err := load(f)
	if err != nil {
		return err
	}
	if cfg.Context(opts.Name) == nil {
		return cmdutil.NotFoundError("no context %q in %s: create it with `imictl config set-context %s ...`", opts.Name, path, opts.Name)
	}
	cfg.CurrentContext = opts.Name
	if err := identity.WriteConfig(path, cfg); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Switched to context %q.\n", opts.Name)
	data := struct {
		CurrentContext string `json:"currentContext"`
	}{opts.Name}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: data, Details: []output.Field{{Key: "Current context", Value: opts.Name}}})
}

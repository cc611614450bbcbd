package config

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
)

// DeleteContextOptions are the inputs of `imictl config delete-context`.
type DeleteContextOptions struct {
	IO   *iostreams.IOStreams
	Name string
}

// NewCmdDeleteContext returns `imictl config delete-context`. It removes
// only the entry: the key and certificate files stay where they are.
func NewCmdDeleteContext(f *cmdutil.Factory, runF func(*DeleteContextOptions) error) *cobra.Command {
	opts := &DeleteContextOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:   "delete-context NAME",
		Short: "Remove a context from the config file (its files are kept)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return deleteContextRun(f, opts)
		},
	}
}

func deleteContextRun(f *cmdutil.Factory, opts *DeleteContextOptions) error {
	path, cfg, _, err := load(f)
	if err != nil {
		return err
	}
	wasCurrent := cfg.CurrentContext == opts.Name
	if !cfg.DeleteContext(opts.Name) {
		return cmdutil.NotFoundError("no context %q in %s (see `imictl config get-contexts`)", opts.Name, path)
	}
	if err := identity.WriteConfig(path, cfg); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Deleted context %q from %s.\n", opts.Name, path)
	if wasCurrent {
		fmt.Fprintln(opts.IO.ErrOut, "It was the current context: there is none now (`imictl config use-context NAME`).")
	}
	return nil
}

package config

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
)

// ViewOptions are the inputs of `imictl config view`.
type ViewOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
}

// NewCmdView returns `imictl config view`.
func NewCmdView(f *cmdutil.Factory, runF func(*ViewOptions) error) *cobra.Command {
	opts := &ViewOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "view",
		Short: "Show the config file (paths only: it holds no secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if runF != nil {
				return runF(opts)
			}
			return viewRun(f, opts)
		},
	}
	cmdutil.SetOutputFormats(cmd, output.YAML)
	return cmd
}

// viewData is the JSON/YAML form of `config view`.
type viewData struct {
	Path           string       `json:"path"`
	Exists         bool         `json:"exists"`
	CurrentContext string       `json:"currentContext"`
	Contexts       []contextRow `json:"contexts"`
}

func viewRun(f *cmdutil.Factory, opts *ViewOptions) error {
	path, cfg, exists, err := load(f)
	if err != nil {
		return err
	}
	data := viewData{Path: path, Exists: exists, CurrentContext: cfg.CurrentContext, Contexts: rows(cfg)}
	return output.Print(opts.IO.Out, opts.Format, contextsView(cfg, data))
}

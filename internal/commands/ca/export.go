package ca

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
)

// ExportOptions are the inputs of `imictl ca export`.
type ExportOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
	Now    func() time.Time
	Serial string
	Admin  mgmtutil.AdminFlags
	Output mgmtutil.PEMFlags
}

// NewCmdExport returns `imictl ca export`. runF replaces the run step in
// tests.
func NewCmdExport(f *cmdutil.Factory, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{IO: f.IOStreams, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "export SERIAL",
		Short: "Print a certificate the CA issued",
		Long: `Print the certificate the CA issued with serial SERIAL (hex, as "ca list"
shows it; colons and a 0x prefix are accepted), whatever its status. By
default the PEM goes to standard output; --out FILE writes it to FILE and
describes it (-o json adds its record).`,
		Example: `  imictl ca export 8f3a61c2d0e94b7a8c1d2e3f40516273 --out server.crt
  imictl ca list --server-id vrv_linkdood -o json | jq -r '.[0].serial' | xargs imictl ca export`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Serial, err = checkSerial(args[0]); err != nil {
				return err
			}
			if opts.Format, err = opts.Output.Format(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return exportRun(f, cmd, opts)
		},
	}
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, passwordFlag)
	mgmtutil.AddPEMFlags(cmd, &opts.Output, "certificate")
	return cmd
}

func exportRun(f *cmdutil.Factory, cmd *cobra.Command, opts *ExportOptions) error {
	adm, done, err := opts.Admin.Open(cmd.Context(), f)
	if err != nil {
		return err
	}
	defer done()
	rec, err := adm.Certificate(cmd.Context(), opts.Serial)
	if err != nil {
		return mgmtutil.Error(err)
	}
	c := withPEM(rec, opts.Now())
	return opts.Output.Print(opts.IO, opts.Format, []byte(c.PEM), c.view())
}

package mgmtutil

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/output"
)

// PEMFlags are how a command that yields one certificate (ca root, ca sign,
// ca export, dir cert, dir bootstrap) prints it: by default the PEM itself
// on standard output, so that it can be piped or redirected; with --out
// FILE the PEM goes to the file and standard output describes it (-o table
// by default, or json, yaml). -o json without --out describes it with the
// PEM included.
type PEMFlags struct {
	Out   string
	Force bool
}

// AddPEMFlags adds --out and --force and makes pem the default format.
func AddPEMFlags(cmd *cobra.Command, p *PEMFlags, what string) {
	cmdutil.SetOutputFormats(cmd, output.PEM)
	cmd.Flags().StringVar(&p.Out, "out", "", "write the "+what+" to `FILE` (PEM) and describe it on standard output")
	cmdutil.AddForceFlag(cmd, &p.Force)
}

// Format returns the format to print in, given --out, or a usage error.
// It also refuses an existing --out file early, before any work.
func (p *PEMFlags) Format(cmd *cobra.Command) (output.Format, error) {
	if p.Out == cmdutil.Stdio {
		p.Out = ""
	}
	format := cmdutil.OutputFormat(cmd)
	if p.Out == "" {
		return format, nil
	}
	if err := key.RefuseExisting(p.Out, p.Force); err != nil {
		return "", cmdutil.UsageError("%v", err)
	}
	if !cmd.Flag(cmdutil.OutputFlag).Changed {
		return output.Table, nil
	}
	if format == output.PEM {
		return "", cmdutil.UsageError("with --out the PEM goes to the file: drop -o pem, or pass -o table, json or yaml to describe it")
	}
	return format, nil
}

// Print writes pemData to --out if given, then pemData or view to standard
// output according to format.
func (p *PEMFlags) Print(ios *iostreams.IOStreams, format output.Format, pemData []byte, view output.View) error {
	if p.Out != "" {
		if err := cmdutil.WriteFileAtomic(p.Out, pemData, 0o644, p.Force); err != nil {
			return err
		}
	}
	if format == output.PEM {
		_, err := ios.Out.Write(pemData)
		return err
	}
	return output.Print(ios.Out, format, view)
}

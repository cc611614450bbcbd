package ca

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/pki"
)

// RootOptions are the inputs of `imictl ca root`.
type RootOptions struct {
	IO          *iostreams.IOStreams
	Format      output.Format
	DataDir     string
	Fingerprint bool
	Output      mgmtutil.PEMFlags
}

// NewCmdRoot returns `imictl ca root`. runF replaces the run step in tests.
func NewCmdRoot(f *cmdutil.Factory, runF func(*RootOptions) error) *cobra.Command {
	opts := &RootOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "root",
		Short: "Print the interconnection root certificate",
		Long: `Print the root certificate of the CA in the data directory: the trust anchor
every IM server pins. It is read from the CA directory, whether the server
runs or not.

By default the PEM goes to standard output; --out FILE writes it to FILE and
describes it. --fingerprint prints only its SHA-256 fingerprint (lower-case
hex), what IM server administrators pass to
  imictl dir bootstrap --fingerprint`,
		Example: `  imictl ca root --out root.crt
  imictl ca root --fingerprint
  imictl ca root -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Format, err = opts.Output.Format(cmd); err != nil {
				return err
			}
			if opts.Fingerprint && opts.Output.Out != "" {
				return cmdutil.UsageError("--fingerprint prints the fingerprint only: drop --out, or drop --fingerprint to write the certificate")
			}
			if runF != nil {
				return runF(opts)
			}
			return rootRun(f, opts)
		},
	}
	cmdutil.AddDataDirFlag(cmd, &opts.DataDir)
	cmd.Flags().BoolVar(&opts.Fingerprint, "fingerprint", false, "print the SHA-256 fingerprint only (-o json: both fingerprints)")
	mgmtutil.AddPEMFlags(cmd, &opts.Output, "root certificate")
	return cmd
}

func rootRun(f *cmdutil.Factory, opts *RootOptions) error {
	path := filepath.Join(mgmt.CADir(cmdutil.DataDir(f, opts.DataDir)), ca.RootCertFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w (no %s)", ca.ErrNotInitialized, path)
	}
	if err != nil {
		return err
	}
	root, err := pki.ParseCertificatePEM(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	info := mgmtutil.NewRootInfo(root, path)
	if opts.Fingerprint {
		if opts.Format == output.PEM {
			_, err := fmt.Fprintln(opts.IO.Out, info.Fingerprints.SHA256)
			return err
		}
		fp := info.Fingerprints
		return output.Print(opts.IO.Out, opts.Format, output.View{Data: fp, Details: []output.Field{{Key: "SHA-256", Value: fp.SHA256}, {Key: "SM3", Value: fp.SM3}}})
	}
	if opts.Output.Out != "" {
		info.File = opts.Output.Out
	}
	return opts.Output.Print(opts.IO, opts.Format, []byte(info.PEM), output.View{Data: info, Details: info.Fields()})
}

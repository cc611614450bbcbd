package cert

import (
	"fmt"
	"io"

	"github.com/emmansun/gmsm/smx509"
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// InspectOptions are the inputs of `imictl cert inspect`.
type InspectOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
	File   string
	Short  bool
	Bundle bool
}

// NewCmdInspect returns `imictl cert inspect`. runF replaces the run step in
// tests.
func NewCmdInspect(f *cmdutil.Factory, runF func(*InspectOptions) error) *cobra.Command {
	opts := &InspectOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "inspect FILE|-",
		Short: "Show a certificate",
		Long: `Show a certificate (PEM or DER): subject, issuer, serial, validity, the
serverId it binds, public key, extensions and fingerprints.

Formats (-o): text (the default), table (the same short list as --short),
json and yaml (every field; the scripting contract), pem (the certificate
itself, e.g. to turn DER into PEM). --short lists only subject, issuer,
serial, validity, serverId, key usages, SANs and the SHA-256 and SM3
fingerprints.

A file with several certificates (a bundle) shows the first; --bundle shows
all of them (json and yaml then print a list).`,
		Example: `  imictl cert inspect server.crt
  imictl cert inspect server.crt --short
  imictl cert inspect chain.pem --bundle -o json
  imictl cert inspect server.der -o pem > server.crt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.File = args[0]
			if opts.Short && opts.Format != output.Text && opts.Format != output.Table {
				return cmdutil.UsageError("--short shortens -o text and table; -o %s always prints everything", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return inspectRun(opts)
		},
	}
	cmdutil.SetOutputFormats(cmd, output.Text, output.Text, output.PEM)
	cmd.Flags().BoolVar(&opts.Short, "short", false, "show only the main fields")
	cmd.Flags().BoolVar(&opts.Bundle, "bundle", false, "show every certificate of the file, not only the first")
	return cmd
}

func inspectRun(opts *InspectOptions) error {
	all, err := readCerts(opts.IO, opts.File)
	if err != nil {
		return err
	}
	certs := selectCerts(opts.IO, opts.File, all, opts.Bundle)
	out := opts.IO.Out
	switch {
	case opts.Format == output.PEM:
		for _, c := range certs {
			if _, err := out.Write(pki.EncodeCertificatePEM(c.Raw)); err != nil {
				return err
			}
		}
		return nil
	case opts.Format == output.Table || opts.Short:
		return eachSeparated(out, certs, func(c *smx509.Certificate) error {
			return output.Print(out, output.Table, output.View{Details: details(describe(c))})
		})
	case opts.Format == output.Text:
		return eachSeparated(out, certs, func(c *smx509.Certificate) error {
			_, err := io.WriteString(out, text(c, describe(c)))
			return err
		})
	}
	infos := make([]Info, len(certs))
	for i, c := range certs {
		infos[i] = describe(c)
	}
	if opts.Bundle {
		return output.Print(out, opts.Format, output.View{Data: infos})
	}
	return output.Print(out, opts.Format, output.View{Data: infos[0]})
}

// eachSeparated prints each certificate with a blank line between them.
func eachSeparated(w io.Writer, certs []*smx509.Certificate, print func(*smx509.Certificate) error) error {
	for i, c := range certs {
		if i > 0 {
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
		}
		if err := print(c); err != nil {
			return err
		}
	}
	return nil
}

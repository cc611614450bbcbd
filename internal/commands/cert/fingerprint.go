package cert

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// Fingerprint digest algorithms.
const (
	algSHA256 = "sha256"
	algSM3    = "sm3"
)

// FingerprintOptions are the inputs of `imictl cert fingerprint`.
type FingerprintOptions struct {
	IO        *iostreams.IOStreams
	Format    output.Format
	File      string
	Algorithm string // sha256 or sm3
	Encoding  string // a pki.FingerprintEncodings name
	Bundle    bool
}

// Fingerprint is the JSON form of `cert fingerprint -o json`.
type Fingerprint struct {
	Subject     string `json:"subject"`
	Algorithm   string `json:"algorithm"`
	Encoding    string `json:"encoding"`
	Fingerprint string `json:"fingerprint"`
}

// NewCmdFingerprint returns `imictl cert fingerprint`. runF replaces the run
// step in tests.
func NewCmdFingerprint(f *cmdutil.Factory, runF func(*FingerprintOptions) error) *cobra.Command {
	opts := &FingerprintOptions{IO: f.IOStreams}
	var sm3 bool
	cmd := &cobra.Command{
		Use:   "fingerprint FILE|-",
		Short: "Print a certificate's fingerprint",
		Long: `Print the fingerprint of a certificate: the SHA-256 digest of its DER bytes
in lower-case hex by default (the value "imictl dir bootstrap --fingerprint"
pins), or its SM3 digest with --sm3 (or --alg sm3).

--encoding colon gives OpenSSL's form (upper case with colons, as
"openssl x509 -noout -fingerprint -sha256" prints it); base64 and base64url
(unpadded) are also available. With --bundle, every certificate of the file
is printed, one per line.`,
		Example: `  imictl cert fingerprint root.crt
  imictl cert fingerprint root.crt --sm3
  imictl cert fingerprint root.crt --encoding colon`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.File = args[0]
			if sm3 {
				if cmd.Flags().Changed("alg") && opts.Algorithm != algSM3 {
					return cmdutil.UsageError("--sm3 contradicts --alg %s: pass one of them", opts.Algorithm)
				}
				opts.Algorithm = algSM3
			}
			if opts.Algorithm != algSHA256 && opts.Algorithm != algSM3 {
				return cmdutil.UsageError("invalid --alg %q: use sha256 or sm3", opts.Algorithm)
			}
			if !slices.Contains(pki.FingerprintEncodings, opts.Encoding) {
				return cmdutil.UsageError("invalid --encoding %q: use one of %s", opts.Encoding, strings.Join(pki.FingerprintEncodings, ", "))
			}
			if runF != nil {
				return runF(opts)
			}
			return fingerprintRun(opts)
		},
	}
	cmdutil.SetOutputFormats(cmd, output.Text, output.Text)
	cmd.Flags().StringVar(&opts.Algorithm, "alg", algSHA256, "digest `ALGORITHM`: sha256 or sm3")
	cmd.Flags().BoolVar(&sm3, "sm3", false, "use SM3 (same as --alg sm3)")
	cmd.Flags().StringVar(&opts.Encoding, "encoding", "hex", "`ENCODING` of the fingerprint: "+strings.Join(pki.FingerprintEncodings, ", "))
	cmd.Flags().BoolVar(&opts.Bundle, "bundle", false, "fingerprint every certificate of the file, not only the first")
	return cmd
}

func fingerprintRun(opts *FingerprintOptions) error {
	all, err := readCerts(opts.IO, opts.File)
	if err != nil {
		return err
	}
	certs := selectCerts(opts.IO, opts.File, all, opts.Bundle)
	fps := make([]Fingerprint, len(certs))
	rows := make([][]string, len(certs))
	for i, c := range certs {
		sum := pki.FingerprintSHA256(c.Raw)
		if opts.Algorithm == algSM3 {
			sum = pki.FingerprintSM3(c.Raw)
		}
		s, err := pki.FormatFingerprint(sum, opts.Encoding)
		if err != nil {
			return err
		}
		fps[i] = Fingerprint{Subject: c.Subject.String(), Algorithm: opts.Algorithm, Encoding: opts.Encoding, Fingerprint: s}
		rows[i] = []string{fps[i].Subject, fps[i].Algorithm, s}
	}
	if opts.Format == output.Text {
		for _, fp := range fps {
			if _, err := fmt.Fprintln(opts.IO.Out, fp.Fingerprint); err != nil {
				return err
			}
		}
		return nil
	}
	view := output.View{Data: fps[0], Headers: []string{"Subject", "Algorithm", "Fingerprint"}, Rows: rows}
	if opts.Bundle {
		view.Data = fps
	}
	return output.Print(opts.IO.Out, opts.Format, view)
}

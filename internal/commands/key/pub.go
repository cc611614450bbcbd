package key

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// PubOptions are the inputs of `imictl key pub`.
type PubOptions struct {
	IO           *iostreams.IOStreams
	Format       output.Format
	File         string
	PasswordFile string
}

// PublicKey is the JSON form of `key pub -o json`.
type PublicKey struct {
	File         string       `json:"file"`
	PEM          string       `json:"pem"`
	Fingerprints Fingerprints `json:"fingerprints"`
}

// NewCmdPub returns `imictl key pub`. runF replaces the run step in tests.
func NewCmdPub(f *cmdutil.Factory, runF func(*PubOptions) error) *cobra.Command {
	opts := &PubOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "pub FILE|-",
		Short: "Print the public key of an SM2 private key",
		Long: `Print the public key of an SM2 private key as PEM (SubjectPublicKeyInfo, as
"openssl pkey -pubout" prints it). An encrypted key's password comes from
--password-file, $IMICTL_PASSWORD_FILE or a prompt.

-o json or yaml give the PEM with the public key's SHA-256 and SM3
fingerprints; -o table gives the fingerprints only.`,
		Example: `  imictl key pub server.key > server.pub
  imictl key pub server.key --password-file pw.txt -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return pubRun(f, opts)
		},
	}
	cmdutil.SetOutputFormats(cmd, output.PEM, output.PEM)
	cmd.Flags().StringVar(&opts.PasswordFile, PasswordFileFlag, "", "read the key's password from the first line of `FILE`")
	return cmd
}

func pubRun(f *cmdutil.Factory, opts *PubOptions) error {
	key, _, err := ReadPrivateKey(f, opts.File, opts.PasswordFile)
	if err != nil {
		return err
	}
	data, err := pki.EncodePublicKeyPEM(&key.PublicKey)
	if err != nil {
		return err
	}
	if opts.Format == output.PEM {
		_, err := opts.IO.Out.Write(data)
		return err
	}
	spki, err := pki.PublicKeyDER(&key.PublicKey)
	if err != nil {
		return err
	}
	pub := PublicKey{File: opts.File, PEM: string(data), Fingerprints: FingerprintsOf(spki)}
	return output.Print(opts.IO.Out, opts.Format, output.View{
		Data: pub,
		Details: []output.Field{
			{Key: "File", Value: pub.File},
			{Key: "Public key SHA-256", Value: pub.Fingerprints.SHA256},
			{Key: "Public key SM3", Value: pub.Fingerprints.SM3},
		},
	})
}

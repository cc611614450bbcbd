package key

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// InspectOptions are the inputs of `imictl key inspect`.
type InspectOptions struct {
	IO           *iostreams.IOStreams
	Format       output.Format
	File         string
	PasswordFile string
}

// NewCmdInspect returns `imictl key inspect`. runF replaces the run step in
// tests.
func NewCmdInspect(f *cmdutil.Factory, runF func(*InspectOptions) error) *cobra.Command {
	opts := &InspectOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "inspect FILE|-",
		Short: "Show an SM2 private key's type, encoding, encryption and fingerprints",
		Long: `Show what a private key file holds: type and curve, encoding (PKCS#8 or
SEC1), whether it is encrypted, and the SHA-256 and SM3 fingerprints of its
public key (over the SubjectPublicKeyInfo DER, as "openssl pkey -pubout
-outform DER | openssl dgst -sha256" computes it).

An encrypted key is decrypted when a password is at hand: --password-file,
$IMICTL_PASSWORD_FILE, or a prompt on a terminal. Otherwise (in a pipe, or
with --no-input) it shows only what the file tells without decrypting it:
the encoding and "encrypted: yes"; type, curve and fingerprints are then
absent, also from -o json.`,
		Example: `  imictl key inspect server.key
  imictl key inspect server.key --password-file pw.txt -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return inspectRun(f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.PasswordFile, PasswordFileFlag, "", "read the key's password from the first line of `FILE`")
	return cmd
}

func inspectRun(f *cmdutil.Factory, opts *InspectOptions) error {
	data, err := cmdutil.ReadInput(opts.IO, opts.File, cmdutil.MaxInputSize)
	if err != nil {
		return err
	}
	passwordAtHand := opts.PasswordFile != "" || f.Getenv(cmdutil.PasswordFileEnv) != "" || opts.IO.CanPrompt()
	if pki.IsEncryptedKeyPEM(data) && !passwordAtHand {
		fmt.Fprintf(opts.IO.ErrOut, "%s is encrypted: pass --%s FILE to show its type, curve and fingerprints.\n",
			DisplayName(opts.File), PasswordFileFlag)
		return output.Print(opts.IO.Out, opts.Format, encryptedInfo(opts.File, data).view())
	}
	key, format, err := decodeKey(f, opts.File, data, opts.PasswordFile)
	if err != nil {
		return err
	}
	info, err := newInfo(opts.File, key, format)
	if err != nil {
		return err
	}
	return output.Print(opts.IO.Out, opts.Format, info.view())
}

// encryptedInfo describes an encrypted key without decrypting it: its PEM
// block tells the encoding, and nothing else is readable.
func encryptedInfo(file string, data []byte) Info {
	format, _ := pki.PeekKeyFormat(data)
	return Info{File: file, Encoding: format.Encoding, Encrypted: true}
}

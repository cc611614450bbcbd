package key

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// GenOptions are the inputs of `imictl key gen`.
type GenOptions struct {
	IO           *iostreams.IOStreams
	Format       output.Format
	Out          string
	PasswordFile string
	NoPassword   bool
	Insecure     bool
	Force        bool
}

// NewCmdGen returns `imictl key gen`. runF replaces the run step in tests.
func NewCmdGen(f *cmdutil.Factory, runF func(*GenOptions) error) *cobra.Command {
	opts := &GenOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "gen --out FILE",
		Short: "Generate an SM2 private key",
		Long: `Generate an SM2 private key and write it as PKCS#8 PEM, mode 0600.

The key is encrypted with a password (PBES2: PBKDF2-HMAC-SHA256 with SM4-CBC,
readable by OpenSSL 3). The password comes from --password-file, else
$IMICTL_PASSWORD_FILE, else it is asked for twice on a terminal. Writing an
unencrypted key takes both --no-password and --insecure.

It prints the file and the public key's fingerprints (-o json for scripts).
With --out - the key goes to standard output and nothing else is printed.`,
		Example: `  imictl key gen --out server.key
  imictl key gen --out server.key --password-file pw.txt -o json
  imictl key gen --out test.key --no-password --insecure`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if opts.NoPassword && !opts.Insecure {
				return cmdutil.UsageError("--no-password writes the private key unencrypted: add --insecure to confirm, or drop --no-password to protect it with a password")
			}
			if opts.Insecure && !opts.NoPassword {
				return cmdutil.UsageError("--insecure only confirms --no-password: pass both, or neither")
			}
			if opts.Out == cmdutil.Stdio && cmd.Flag(cmdutil.OutputFlag).Changed {
				return cmdutil.UsageError("with --out - the key itself is the output: drop -o, or write the key to a file")
			}
			if runF != nil {
				return runF(opts)
			}
			return genRun(f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the key to `FILE` (- for standard output)")
	cmd.Flags().StringVar(&opts.PasswordFile, PasswordFileFlag, "", "read the password from the first line of `FILE`")
	cmd.Flags().BoolVar(&opts.NoPassword, "no-password", false, "do not encrypt the key (needs --insecure)")
	cmd.Flags().BoolVar(&opts.Insecure, "insecure", false, "confirm --no-password")
	cmdutil.AddForceFlag(cmd, &opts.Force)
	_ = cmd.MarkFlagRequired("out")
	cmd.MarkFlagsMutuallyExclusive("no-password", PasswordFileFlag)
	return cmd
}

func genRun(f *cmdutil.Factory, opts *GenOptions) error {
	if err := RefuseExisting(opts.Out, opts.Force); err != nil {
		return err
	}
	var password []byte
	if !opts.NoPassword {
		var err error
		if password, err = cmdutil.Password(f, cmdutil.PasswordOptions{
			File:     opts.PasswordFile,
			FileFlag: PasswordFileFlag,
			Title:    "Password for the new key",
			New:      true,
		}); err != nil {
			return err
		}
	}
	key, err := pki.GenerateKey()
	if err != nil {
		return fmt.Errorf("cannot generate an SM2 key: %w", err)
	}
	data, err := pki.EncodePrivateKeyPEM(key, password)
	if err != nil {
		return fmt.Errorf("cannot encode the key: %w", err)
	}
	if err := cmdutil.WriteOutput(opts.IO, opts.Out, data, 0o600, opts.Force); err != nil {
		return err
	}
	if opts.NoPassword {
		fmt.Fprintln(opts.IO.ErrOut, "Warning: the key is not encrypted: anyone who can read the file can sign as its owner.")
	}
	if opts.Out == cmdutil.Stdio {
		return nil
	}
	info, err := newInfo(opts.Out, key, pki.KeyFormat{Encoding: "PKCS#8", Encrypted: !opts.NoPassword})
	if err != nil {
		return err
	}
	return output.Print(opts.IO.Out, opts.Format, info.view())
}

package dir

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// BootstrapOptions are the inputs of `imictl dir bootstrap`.
type BootstrapOptions struct {
	IO          *iostreams.IOStreams
	Format      output.Format
	Fingerprint string
	Output      mgmtutil.PEMFlags
}

// NewCmdBootstrap returns `imictl dir bootstrap`. runF replaces the run step
// in tests.
func NewCmdBootstrap(f *cmdutil.Factory, runF func(*BootstrapOptions) error) *cobra.Command {
	opts := &BootstrapOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "bootstrap --mgmt URL --fingerprint FP --out root.crt",
		Short: "Fetch the interconnection root and pin it by its fingerprint",
		Long: `Fetch the interconnection root certificate from the management server and
accept it only if its fingerprint is FP, the one the management server's
administrator gave you out of band (imictl ca root --fingerprint). FP is the
SHA-256 (or SM3) digest of the certificate, in any common form: hex with or
without colons, in either case, or base64.

A root with another fingerprint is refused with exit 4 and reason
fingerprint_mismatch, and nothing is written. Once pinned, pass the file as
--root (or IMICTL_ROOT, or a context's root) to every signed call.`,
		Example: `  imictl dir bootstrap --mgmt https://mgmt.example.com --fingerprint 78655dfb0e11...c22396 --out root.crt
  imictl config set-context vrv --root root.crt --mgmt https://mgmt.example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := pki.ParseFingerprint(opts.Fingerprint); err != nil {
				return cmdutil.UsageError("invalid --fingerprint: %v", err)
			}
			var err error
			if opts.Format, err = opts.Output.Format(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return bootstrapRun(f, cmd, opts)
		},
	}
	cmd.Flags().String(identity.FlagMgmt, "", "management server base `URL` ($"+identity.EnvMgmt+")")
	cmd.Flags().StringVar(&opts.Fingerprint, "fingerprint", "", "the root's expected SHA-256 (or SM3) fingerprint `FP`")
	cmd.Flags().String(identity.FlagContext, "", "use the config file's context `NAME` for --mgmt ($"+identity.EnvContext+")")
	mgmtutil.AddPEMFlags(cmd, &opts.Output, "root certificate")
	_ = cmd.MarkFlagRequired("fingerprint")
	return cmd
}

func bootstrapRun(f *cmdutil.Factory, cmd *cobra.Command, opts *BootstrapOptions) error {
	m, err := mgmtutil.UnsignedPublic(f, cmd, false)
	if err != nil {
		return err
	}
	root, _, err := m.Bootstrap(cmd.Context(), opts.Fingerprint)
	if err != nil {
		return mgmtutil.Error(err)
	}
	info := mgmtutil.NewRootInfo(root, opts.Output.Out)
	return opts.Output.Print(opts.IO, opts.Format, []byte(info.PEM), output.View{Data: info, Details: info.Fields()})
}

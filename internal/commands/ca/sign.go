package ca

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// SignOptions are the inputs of `imictl ca sign`.
type SignOptions struct {
	IO       *iostreams.IOStreams
	Format   output.Format
	Now      func() time.Time
	CSR      string // file, "-" for standard input
	ServerID string // the serverId the CSR must name, when given
	// AdminName, when set, makes it an administrator certificate for
	// this name (pki's administrator profile) instead of a server's.
	AdminName string
	Validity  time.Duration
	Reviewer  string
	Admin     mgmtutil.AdminFlags
	Output    mgmtutil.PEMFlags
}

// NewCmdSign returns `imictl ca sign`. runF replaces the run step in tests.
func NewCmdSign(f *cmdutil.Factory, runF func(*SignOptions) error) *cobra.Command {
	opts := &SignOptions{IO: f.IOStreams, Now: f.Now}
	var validity string
	cmd := &cobra.Command{
		Use:   "sign CSR",
		Short: "Issue a certificate from a CSR, outside the registration workflow",
		Long: `Issue an IM server certificate from a CSR (file, or - for standard input) for
the administrator's own tools and tests, without a registration: no server
is registered or changed. The certificate is recorded, so that "ca list"
shows it and "ca revoke" can revoke it.

The CSR must carry a valid SM2 signature (default SM2 id) and bind a serverId
(imictl csr create makes such CSRs); --server-id makes sure it is the one you
expect. The profile (key usage, validity, extensions) is the CA's, whatever
the CSR asks for.

With --admin NAME it issues an administrator certificate instead, for the
remote admin API (serve --admin-addr): subject CN NAME, URI SAN
urn:imi:admin:NAME, extended key usage clientAuth only, valid 90 days unless
--validity says otherwise. It can never pass for a server's certificate. The
CSR must not name a serverId: an administrator's key is a key of its own
(imictl key gen, then imictl csr create --admin NAME).`,
		Example: `  imictl ca sign tool.csr --server-id test-tool --out tool.crt
  imictl ca sign tool.csr --validity 30d -o json
  imictl ca sign alice.csr --admin alice --out alice.crt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.CSR = args[0]
			var err error
			if opts.Format, err = opts.Output.Format(cmd); err != nil {
				return err
			}
			if opts.AdminName != "" {
				if opts.ServerID != "" {
					return cmdutil.UsageError("--admin and --server-id exclude each other: an administrator certificate names no server")
				}
				if err := pki.ValidateAdminName(opts.AdminName); err != nil {
					return cmdutil.UsageError("invalid --admin: %v", err)
				}
			}
			if opts.ServerID != "" {
				if err := pki.ValidateServerID(opts.ServerID); err != nil {
					return cmdutil.UsageError("invalid --server-id: %v", err)
				}
			}
			if validity != "" {
				if opts.Validity, err = mgmtutil.ParseDuration("validity", validity); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return signRun(f, cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.ServerID, "server-id", "", "refuse the CSR unless it names this serverId `ID`")
	cmd.Flags().StringVar(&opts.AdminName, "admin", "", "issue an administrator certificate for `NAME` (remote admin API) instead of a server's")
	cmd.Flags().StringVar(&validity, "validity", "", "how long the certificate is valid: days (365d) or a `DURATION` (default the CA's, 365d)")
	mgmtutil.AddReviewerFlag(cmd, &opts.Reviewer)
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, passwordFlag)
	mgmtutil.AddPEMFlags(cmd, &opts.Output, "certificate")
	return cmd
}

func signRun(f *cmdutil.Factory, cmd *cobra.Command, opts *SignOptions) error {
	data, err := cmdutil.ReadInput(opts.IO, opts.CSR, cmdutil.MaxInputSize)
	if err != nil {
		return err
	}
	if opts.AdminName != "" {
		err = mgmtutil.CheckAdminCSR(opts.CSR, data, opts.AdminName)
	} else {
		_, err = mgmtutil.CheckCSR(opts.CSR, data, opts.ServerID)
	}
	if err != nil {
		return err
	}
	adm, done, err := opts.Admin.Open(cmd.Context(), f)
	if err != nil {
		return err
	}
	defer done()
	actor := mgmtutil.Actor(f, opts.Reviewer)
	var rec store.Certificate
	if opts.AdminName != "" {
		rec, err = adm.SignAdminCSR(cmd.Context(), data, opts.AdminName, opts.Validity, actor)
	} else {
		rec, err = adm.SignCSR(cmd.Context(), data, opts.Validity, actor)
	}
	if err != nil {
		return mgmtutil.Error(err)
	}
	c := withPEM(rec, opts.Now())
	return opts.Output.Print(opts.IO, opts.Format, []byte(c.PEM), c.view())
}

package register

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
)

// StatusOptions are the inputs of `imictl register status`.
type StatusOptions struct {
	IO        *iostreams.IOStreams
	Format    output.Format
	RequestID string
	Follow    Follow
}

// NewCmdStatus returns `imictl register status`. runF replaces the run step
// in tests.
func NewCmdStatus(f *cmdutil.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "status REQUEST_ID",
		Short: "Follow an application: pending, approved or rejected",
		Long: `Ask the management server where an application stands. Only the applicant
may: the call is signed with the key of the application's CSR (--key) as its
serverId (--server-id), or with the server's certificate (--cert) once it has
one. The answer is authenticated with the pinned root (--root).

Exit codes: 0 approved, 5 still pending, 1 rejected (the reviewer's reason is
printed). Once approved, --cert-out FILE writes the certificate it issued,
after checking that it chains to the root and names your serverId. --wait
asks again every --interval until a decision or --timeout.`,
		Example: `  imictl register status req-12 --server-id vrv_linkdood --key server.key --root root.crt --mgmt https://mgmt.example.com
  imictl register status req-12 --wait --timeout 1h --cert-out server.crt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.RequestID = args[0]
			if err := opts.Follow.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return statusRun(f, cmd, opts)
		},
	}
	identity.AddFlags(cmd)
	addFollowFlags(cmd, &opts.Follow)
	return cmd
}

func statusRun(f *cmdutil.Factory, cmd *cobra.Command, opts *StatusOptions) error {
	m, err := mgmtutil.SignedPublic(f, cmd, identity.Needs{})
	if err != nil {
		return err
	}
	return opts.Follow.follow(cmd.Context(), opts.IO, opts.Format, m, opts.RequestID)
}

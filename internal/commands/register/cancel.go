package register

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/mgmt/api"
)

// CancelOptions are the inputs of `imictl register cancel`.
type CancelOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
	Reason string
	Yes    bool
}

// NewCmdCancel returns `imictl register cancel`. runF replaces the run step
// in tests.
func NewCmdCancel(f *cmdutil.Factory, runF func(*CancelOptions) error) *cobra.Command {
	opts := &CancelOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "cancel --reason REASON",
		Short: "Apply to cancel your server's registration for good",
		Long: `Apply to cancel the registration of your server. Once an administrator
approves, the server's certificate is revoked and its serverId can never be
registered again. It asks for confirmation on a terminal; elsewhere pass
--yes. REASON is for the reviewer; on a terminal it is asked for if missing.

The call is signed with your server's current certificate. It prints the
request id; follow it with "imictl register status".`,
		Example: `  imictl register cancel --reason "service shut down" --yes -o json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if runF != nil {
				return runF(opts)
			}
			return cancelRun(f, cmd, opts)
		},
	}
	identity.AddFlags(cmd)
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why, for the reviewer (`TEXT`)")
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	return cmd
}

func cancelRun(f *cmdutil.Factory, cmd *cobra.Command, opts *CancelOptions) error {
	reason, err := cmdutil.RequireValue(f, "reason", opts.Reason, func(p prompt.Prompter) (string, error) {
		return p.Input("Reason (for the reviewer)", "", nil)
	})
	if err != nil {
		return err
	}
	m, err := mgmtutil.SignedPublic(f, cmd, identity.Needs{Cert: true})
	if err != nil {
		return err
	}
	req := api.CancelRequest{ServerID: m.Identity.ServerID, Reason: reason}
	if err := req.Validate(); err != nil {
		return cmdutil.UsageError("invalid --reason: %v", problem(err))
	}
	question := fmt.Sprintf("Apply to cancel %s for good? Once approved its certificate is revoked and the serverId can never be registered again", req.ServerID)
	if err := cmdutil.ConfirmDestructive(f, opts.Yes, question); err != nil {
		return err
	}
	id, err := m.Cancel(cmd.Context(), req)
	if err != nil {
		return mgmtutil.Error(err)
	}
	return printRequestID(opts.IO, opts.Format, id, "")
}

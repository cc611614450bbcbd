package admin

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// DecideOptions are the inputs of `imictl admin approve` and `admin
// reject`.
type DecideOptions struct {
	IO       *iostreams.IOStreams
	Format   output.Format
	ID       string
	Reason   string // approve: an optional note; reject: shown to the applicant
	Reviewer string
	Admin    mgmtutil.AdminFlags
}

// NewCmdApprove returns `imictl admin approve`. runF replaces the run step
// in tests.
func NewCmdApprove(f *cmdutil.Factory, runF func(*DecideOptions) error) *cobra.Command {
	opts := &DecideOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "approve ID",
		Short: "Approve a pending request",
		Long: `Approve a pending request and apply it: a new server is registered and its
certificate issued from its CSR; a modification changes its fields (and, with
a CSR, issues a certificate for the new key and revokes the old one); a
cancellation retires the serverId forever and revokes its certificate. Every
other server is notified of the change.

A request is decided once: approving one that is already decided changes
nothing and fails. On a stopped server, approval needs the CA key: its
password comes from --ca-password-file, $IMICTL_PASSWORD_FILE or the prompt.`,
		Example: `  imictl admin approve req-12
  imictl admin approve req-12 --reason "checked by phone with ops" -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return decideRun(f, cmd, opts, true)
		},
	}
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "a `NOTE` on the decision, for the audit log and the applicant")
	cmdutil.AddNoopYesFlag(cmd)
	mgmtutil.AddReviewerFlag(cmd, &opts.Reviewer)
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, caPasswordFlag)
	return cmd
}

// NewCmdReject returns `imictl admin reject`. runF replaces the run step
// in tests.
func NewCmdReject(f *cmdutil.Factory, runF func(*DecideOptions) error) *cobra.Command {
	opts := &DecideOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "reject ID --reason REASON",
		Short: "Reject a pending request",
		Long: `Reject a pending request; REASON is shown to the applicant (register status).
Nothing else changes: the applicant may submit again. On a terminal a
missing --reason is asked for.`,
		Example: `  imictl admin reject req-12 --reason "the contact e-mail bounces"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.ID = args[0]
			var err error
			if opts.Reason, err = cmdutil.RequireValue(f, "reason", opts.Reason, func(p prompt.Prompter) (string, error) {
				return p.Input("Reason (shown to the applicant)", "", nil)
			}); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return decideRun(f, cmd, opts, false)
		},
	}
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why, in a `SENTENCE` the applicant will read")
	cmdutil.AddNoopYesFlag(cmd)
	mgmtutil.AddReviewerFlag(cmd, &opts.Reviewer)
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, caPasswordFlag)
	return cmd
}

func decideRun(f *cmdutil.Factory, cmd *cobra.Command, opts *DecideOptions, approve bool) error {
	ctx := cmd.Context()
	adm, done, err := opts.Admin.Open(ctx, f)
	if err != nil {
		return err
	}
	defer done()
	actor := mgmtutil.Actor(f, opts.Reviewer)
	var a store.Application
	if approve {
		a, err = adm.Approve(ctx, opts.ID, actor, opts.Reason)
	} else {
		a, err = adm.Reject(ctx, opts.ID, actor, opts.Reason)
	}
	if err != nil {
		return mgmtutil.Error(err)
	}
	if err := output.Print(opts.IO.Out, opts.Format, newRequest(a).view()); err != nil {
		return err
	}
	fmt.Fprintln(opts.IO.ErrOut, outcome(a))
	return nil
}

// outcome says what the decision did, and what the applicant does next.
func outcome(a store.Application) string {
	follow := fmt.Sprintf("the applicant sees it with `imictl register status %s`", a.ID)
	fetch := fmt.Sprintf("the applicant fetches it with `imictl register status %s --cert-out FILE`, "+
		"or, if it is an `imictl serve --im` waiting for approval, the server fetches it itself and starts serving", a.ID)
	switch {
	case a.State == store.StateRejected:
		return fmt.Sprintf("Rejected %s; %s.", a.ID, follow)
	case a.Kind == store.KindNew:
		return fmt.Sprintf("Approved %s: %s is registered with certificate %s; %s.", a.ID, a.ServerID, a.ResultSerial, fetch)
	case a.Kind == store.KindCancel:
		return fmt.Sprintf("Approved %s: %s is cancelled for good and its certificate revoked.", a.ID, a.ServerID)
	case a.ResultSerial != "":
		return fmt.Sprintf("Approved %s: %s is modified, with the new certificate %s; %s.", a.ID, a.ServerID, a.ResultSerial, fetch)
	}
	return fmt.Sprintf("Approved %s: %s is modified.", a.ID, a.ServerID)
}

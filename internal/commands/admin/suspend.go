package admin

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// StatusOptions are the inputs of `imictl admin suspend` and `admin
// resume`.
type StatusOptions struct {
	IO       *iostreams.IOStreams
	Format   output.Format
	ServerID string
	Yes      bool
	Reviewer string
	Admin    mgmtutil.AdminFlags
}

// NewCmdSuspend returns `imictl admin suspend`. runF replaces the run step
// in tests.
func NewCmdSuspend(f *cmdutil.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "suspend SERVERID",
		Short: "Suspend a server: its signed calls are refused until it is resumed",
		Long: `Suspend a registered server (status 1): the management server and every peer
that follows the directory refuse its signed calls with server_suspended,
and every other server is notified. Its certificate stays valid: resume it
with "imictl admin resume". It asks for confirmation on a terminal;
elsewhere pass --yes.`,
		Example: `  imictl admin suspend vrv_linkdood
  imictl admin suspend vrv_linkdood --yes -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return statusPrepare(cmd, opts, args, runF, func() error { return statusRun(f, cmd, opts, true) })
		},
	}
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	mgmtutil.AddReviewerFlag(cmd, &opts.Reviewer)
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, caPasswordFlag)
	return cmd
}

// NewCmdResume returns `imictl admin resume`. runF replaces the run step in
// tests.
func NewCmdResume(f *cmdutil.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "resume SERVERID",
		Short: "Resume a suspended server",
		Long: `Resume a suspended server (status back to 0): its calls are accepted again,
every other server is notified, and the notifications held for it while it
was suspended are sent.`,
		Example: `  imictl admin resume vrv_linkdood
  imictl admin resume vrv_linkdood --yes -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return statusPrepare(cmd, opts, args, runF, func() error { return statusRun(f, cmd, opts, false) })
		},
	}
	cmdutil.AddNoopYesFlag(cmd)
	mgmtutil.AddReviewerFlag(cmd, &opts.Reviewer)
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, caPasswordFlag)
	return cmd
}

func statusPrepare(cmd *cobra.Command, opts *StatusOptions, args []string, runF func(*StatusOptions) error, run func() error) error {
	opts.Format = cmdutil.OutputFormat(cmd)
	opts.ServerID = args[0]
	if err := pki.ValidateServerID(opts.ServerID); err != nil {
		return cmdutil.UsageError("invalid serverId %q: %v", opts.ServerID, err)
	}
	if runF != nil {
		return runF(opts)
	}
	return run()
}

func statusRun(f *cmdutil.Factory, cmd *cobra.Command, opts *StatusOptions, suspend bool) error {
	ctx := cmd.Context()
	adm, done, err := opts.Admin.Open(ctx, f)
	if err != nil {
		return err
	}
	defer done()
	actor := mgmtutil.Actor(f, opts.Reviewer)
	var s store.Server
	if suspend {
		// Look it up first: an unknown or already suspended server is
		// reported without asking anything.
		cur, err := adm.Server(ctx, opts.ServerID)
		if err != nil {
			return mgmtutil.Error(err)
		}
		if cur.Status != store.StatusNormal {
			return mgmtutil.Error(&store.StatusConflictError{ServerID: cur.ServerID, Expected: store.StatusNormal, Actual: cur.Status})
		}
		question := fmt.Sprintf("Suspend %s (%s)? Its signed calls will be refused until it is resumed", cur.ServerID, cur.ServerName)
		if err := cmdutil.ConfirmDestructive(f, opts.Yes, question); err != nil {
			return err
		}
		s, err = adm.Suspend(ctx, opts.ServerID, actor)
	} else {
		s, err = adm.Resume(ctx, opts.ServerID, actor)
	}
	if err != nil {
		return mgmtutil.Error(err)
	}
	return output.Print(opts.IO.Out, opts.Format, newServer(s).view())
}

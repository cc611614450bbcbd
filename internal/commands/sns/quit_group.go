package sns

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// QuitGroupOptions are the inputs of `imictl sns quit-group`.
type QuitGroupOptions struct {
	Options
	GroupID string
	Request wire.QuitRequest
}

// NewCmdQuitGroup returns `imictl sns quit-group` (G4).
func NewCmdQuitGroup(f *cmdutil.Factory, runF func(*QuitGroupOptions) error) *cobra.Command {
	opts := &QuitGroupOptions{Options: newOptions(f)}
	r := &opts.Request
	cmd := &cobra.Command{
		Use:   "quit-group GROUPID --owner OWNERID",
		Short: "Leave a group, told to its main server (G4, POST /sns/quit/grpmember)",
		Long: `Tell the group's main server that OWNERID, a member on your server who is
not the owner, leaves GROUPID. The main server tells every server with
members (G10, operType 2).`,
		Example: `  imictl sns quit-group g1@beta-im --owner 13600002222@alpha-im`,
		Args:    cobra.ExactArgs(1),
		RunE:    groupRequestRunE(f, &opts.Options, &opts.GroupID, r, func(args []string) { opts.GroupID = args[0] }, opts, runF, quitGroupRun),
	}
	addOwnerFlags(cmd, &r.OwnerID, nil)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

// groupRequestRunE is the RunE of a request about GROUPID (the first
// argument; setArgs reads them all): it checks GROUPID and validates req,
// then runs runF (tests) or run.
func groupRequestRunE[T any](f *cmdutil.Factory, o *Options, groupID *string, req interface{ Validate() error }, setArgs func(args []string), opts T, runF func(T) error, run func(*cobra.Command, T) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		setArgs(args)
		if err := o.prepare(f, cmd); err != nil {
			return err
		}
		if err := checkID("GROUPID", *groupID); err != nil {
			return err
		}
		if err := req.Validate(); err != nil {
			return cmdutil.UsageError("%v", err)
		}
		if runF != nil {
			return runF(opts)
		}
		return run(cmd, opts)
	}
}

func quitGroupRun(cmd *cobra.Command, opts *QuitGroupOptions) error {
	return envelopeCall(cmd, &opts.Options, opts.GroupID, func(ctx context.Context, s *session, raw client.CallOption) error {
		return s.client.QuitGroup(ctx, s.peer, opts.GroupID, opts.Request, raw)
	})
}

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
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.GroupID = args[0]
			if err := opts.prepare(f, cmd); err != nil {
				return err
			}
			if err := checkID("GROUPID", opts.GroupID); err != nil {
				return err
			}
			if err := r.Validate(); err != nil {
				return cmdutil.UsageError("%v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return quitGroupRun(cmd, opts)
		},
	}
	addOwnerFlags(cmd, &r.OwnerID, nil)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func quitGroupRun(cmd *cobra.Command, opts *QuitGroupOptions) error {
	return envelopeCall(cmd, &opts.Options, opts.GroupID, func(ctx context.Context, s *session, raw client.CallOption) error {
		return s.client.QuitGroup(ctx, s.peer, opts.GroupID, opts.Request, raw)
	})
}

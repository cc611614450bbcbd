package sns

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// RemoveMembersOptions are the inputs of `imictl sns remove-members`.
type RemoveMembersOptions struct {
	Options
	GroupID string
	Request wire.RemoveMembersRequest
}

// NewCmdRemoveMembers returns `imictl sns remove-members` (G3).
func NewCmdRemoveMembers(f *cmdutil.Factory, runF func(*RemoveMembersOptions) error) *cobra.Command {
	opts := &RemoveMembersOptions{Options: newOptions(f)}
	r := &opts.Request
	cmd := &cobra.Command{
		Use:   "remove-members GROUPID MEMBER... --owner OWNERID",
		Short: "Remove members from a group, on its main server (G3, POST /sns/remove/grpmembers)",
		Long: `Ask the group's main server to remove the MEMBERs (user ids) from GROUPID,
as OWNERID, the group's owner (only the owner may). The list is sent as
"delateMembers", the standard's spelling. The main server tells every server
with members (G10, operType 2).`,
		Example: `  imictl sns remove-members g1@beta-im 13500001111@gamma-im --owner 13600002222@alpha-im`,
		Args:    cobra.MinimumNArgs(2),
		RunE:    groupRequestRunE(f, &opts.Options, &opts.GroupID, r, func(args []string) { opts.GroupID, r.Members = args[0], args[1:] }, opts, runF, removeMembersRun),
	}
	addOwnerFlags(cmd, &r.OwnerID, nil)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func removeMembersRun(cmd *cobra.Command, opts *RemoveMembersOptions) error {
	return envelopeCall(cmd, &opts.Options, opts.GroupID, func(ctx context.Context, s *session, raw client.CallOption) error {
		return s.client.RemoveGroupMembers(ctx, s.peer, opts.GroupID, opts.Request, raw)
	})
}

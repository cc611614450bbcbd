package im

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// GroupInviteOptions are the inputs of `imictl im group invite`.
type GroupInviteOptions struct {
	Options
	GroupRef
	Users []string
}

// NewCmdGroupInvite returns `imictl im group invite`.
func NewCmdGroupInvite(f *cmdutil.Factory, runF func(*GroupInviteOptions) error) *cobra.Command {
	opts := &GroupInviteOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "invite GROUP USER... --user INVITER",
		Short: "Invite users of any server into a group",
		Long: `Invite the USERs (user@serverId, user@host:port or local users) into GROUP,
as the local member INVITER: the owner, an admin, or any member when the
group allows it. Each invitee's server is told (G1) and the invitee accepts
or refuses ("imictl im group accept|refuse"); nobody is a member before.`,
		Example: `  imictl im group invite "Release team" bob@second carol@third --user alice`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group, opts.Users = args[0], args[1:]
			opts.prepare(f, cmd)
			if err := opts.GroupRef.validate("--user"); err != nil {
				return err
			}
			for _, u := range opts.Users {
				if err := checkRecipient("USER", u); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return groupInviteRun(cmd, opts)
		},
	}
	addUserFlag(cmd, &opts.User, "the local member `INVITER` who invites")
	opts.addFlags(cmd)
	return cmd
}

func groupInviteRun(cmd *cobra.Command, opts *GroupInviteOptions) error {
	return runGroupOp(cmd, &opts.Options, &opts.GroupRef, false, func(ctx context.Context, c *adminclient.Client, id string) (adminapi.GroupResult, error) {
		return c.InviteToGroup(ctx, opts.User, id, opts.Users)
	})
}

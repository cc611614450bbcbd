package sns

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// InviteGroupOptions are the inputs of `imictl sns invite-group`.
type InviteGroupOptions struct {
	Options
	Request wire.InviteRequest
	Inviter wire.UserInfo // sent as reqInfo.userInfo when --name, --phone or --portrait is given
}

// NewCmdInviteGroup returns `imictl sns invite-group` (G1).
func NewCmdInviteGroup(f *cmdutil.Factory, runF func(*InviteGroupOptions) error) *cobra.Command {
	opts := &InviteGroupOptions{Options: newOptions(f)}
	r := &opts.Request
	in := &r.ReqInfo
	cmd := &cobra.Command{
		Use:   "invite-group GROUPID INVITEE... --inviter USERID --group-name NAME [--name NAME]",
		Short: "Invite users into a group (G1, POST /sns/invite/grpreq)",
		Long: `Invite the INVITEEs (user ids) into GROUPID as USERID, the owner or a member
(members may invite only when the group allows it, gset.isAllow 1).
reqInfo.groupInfo carries the group's id and --group-name; the inviter's
userInfo is sent when --name, --phone or --portrait is given (the standard
lets it out between friends).

The call goes to the group's main server unless --to or --url names another:
the main server checks the invitation, then passes it on to the invitees'
servers, where each invitee answers (G2).`,
		Example: `  imictl sns invite-group g1@beta-im 13500001111@gamma-im --inviter 13600002222@alpha-im --group-name "Release team" --name Ann`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.GroupInfo.GroupID, in.InviteUsers = args[0], args[1:]
			if err := opts.prepare(f, cmd); err != nil {
				return err
			}
			if opts.Inviter != (wire.UserInfo{}) {
				opts.Inviter.UserID = r.UserID
				in.UserInfo = &opts.Inviter
			}
			if err := r.Validate(); err != nil {
				return cmdutil.UsageError("%v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return inviteGroupRun(cmd, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&r.UserID, "inviter", "", "the inviting user `ID` (userID)")
	fs.StringVar(&in.GroupInfo.GroupName, "group-name", "", "the group's `NAME`, shown to the invitees")
	fs.StringVar(&opts.Inviter.Name, "name", "", "the inviter's display `NAME`, sent in reqInfo.userInfo")
	fs.StringVar(&opts.Inviter.PhoneNumber, "phone", "", "the inviter's phone `NUMBER`, sent in reqInfo.userInfo")
	fs.StringVar(&opts.Inviter.Portrait, "portrait", "", "the inviter's portrait `URL`, sent in reqInfo.userInfo")
	_ = cmd.MarkFlagRequired("inviter")
	_ = cmd.MarkFlagRequired("group-name")
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func inviteGroupRun(cmd *cobra.Command, opts *InviteGroupOptions) error {
	return envelopeCall(cmd, &opts.Options, opts.Request.ReqInfo.GroupInfo.GroupID, func(ctx context.Context, s *session, raw client.CallOption) error {
		return s.client.InviteGroup(ctx, s.peer, opts.Request, raw)
	})
}

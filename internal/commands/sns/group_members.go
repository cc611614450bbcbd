package sns

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
)

// GroupMembersOptions are the inputs of `imictl sns group-members`.
type GroupMembersOptions struct {
	Options
	GroupID, UserID string
}

// NewCmdGroupMembers returns `imictl sns group-members` (G12).
func NewCmdGroupMembers(f *cmdutil.Factory, runF func(*GroupMembersOptions) error) *cobra.Command {
	opts := &GroupMembersOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "group-members GROUPID --user USERID",
		Short: "List a group's members from its main server (G12, GET /sns/grpmembers)",
		Long: `Ask the group's main server for the group's members, as USERID, a member
of the group on your server: each with its userType (1 member, 2 admin,
3 owner) and userInfo.`,
		Example: `  imictl sns group-members g1@beta-im --user 13600002222@alpha-im`,
		Args:    cobra.ExactArgs(1),
		RunE:    requesterRunE(f, &opts.Options, &opts.GroupID, &opts.UserID, opts, runF, groupMembersRun),
	}
	addRequesterFlag(cmd, &opts.UserID)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func groupMembersRun(cmd *cobra.Command, opts *GroupMembersOptions) error {
	s, err := opts.Connect(cmd.Context(), opts.GroupID)
	if err != nil {
		return err
	}
	var raw *client.RawResponse
	members, err := s.client.GroupMembers(cmd.Context(), s.peer, opts.GroupID, opts.UserID, client.Raw(&raw))
	return report(opts.IO, opts.Format, raw, err, func() output.View {
		v := output.View{Headers: []string{"user-id", "type", "name", "phone"}, Rows: [][]string{}}
		for _, m := range members {
			v.Rows = append(v.Rows, []string{m.UserInfo.UserID, memberTypeName(m.UserType), m.UserInfo.Name, m.UserInfo.PhoneNumber})
		}
		return v
	})
}

package im

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// GroupMembersOptions are the inputs of `imictl im group members`.
type GroupMembersOptions struct {
	Options
	GroupRef
}

// NewCmdGroupMembers returns `imictl im group members`.
func NewCmdGroupMembers(f *cmdutil.Factory, runF func(*GroupMembersOptions) error) *cobra.Command {
	opts := &GroupMembersOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "members GROUP --user USER",
		Short: "List a group's members, as a local member",
		Long: `List GROUP's members with their role (owner, admin, member) as its main
server has them, asked as the local member USER: for another server's group,
this server asks it (G12). In JSON, each member is the standard's
{userType, userInfo}: userType 1 member, 2 admin, 3 owner.`,
		Example: `  imictl im group members "Release team" --user carol --data-dir ./third`,
		Args:    cobra.ExactArgs(1),
		RunE:    groupRunE(f, &opts.Options, &opts.GroupRef, opts, runF, groupMembersRun),
	}
	addUserFlag(cmd, &opts.User, "the local member `USER` who asks")
	opts.addFlags(cmd)
	return cmd
}

func groupMembersRun(cmd *cobra.Command, opts *GroupMembersOptions) error {
	return withGroup(cmd, &opts.Options, &opts.GroupRef, false, func(ctx context.Context, c *adminclient.Client, id string) error {
		members, err := c.GroupMembers(ctx, opts.User, id)
		if err != nil {
			return opts.fail(err)
		}
		rows := make([][]string, 0, len(members))
		for _, m := range members {
			rows = append(rows, []string{m.UserInfo.UserID, roleName(m.UserType), m.UserInfo.Name})
		}
		return output.Print(opts.IO.Out, opts.Format, output.View{Data: nonNil(members),
			Headers: []string{"User ID", "Role", "Name"}, Rows: rows})
	})
}

package im

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
)

// GroupListOptions are the inputs of `imictl im group list`.
type GroupListOptions struct {
	Options
	User string
}

// NewCmdGroupList returns `imictl im group list`.
func NewCmdGroupList(f *cmdutil.Factory, runF func(*GroupListOptions) error) *cobra.Command {
	opts := &GroupListOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "list USER",
		Short: "List the groups a local user belongs to",
		Long: `List the groups the local user USER belongs to, on this server and on others:
each with its main server. The role (owner, admin, member) is known here
only for this server's groups; "imictl im group members" asks the main
server.`,
		Example: `  imictl im group list alice`,
		Args:    cobra.ExactArgs(1),
		RunE:    userRunE(f, &opts.Options, &opts.User, opts, runF, groupListRun),
	}
	opts.addFlags(cmd)
	return cmd
}

func groupListRun(cmd *cobra.Command, opts *GroupListOptions) error {
	c := opts.Client()
	defer c.Close()
	groups, err := c.Groups(cmd.Context(), opts.User)
	if err != nil {
		return opts.fail(err)
	}
	rows := make([][]string, 0, len(groups))
	for _, g := range groups {
		rows = append(rows, []string{g.GroupID, g.GroupName, g.Main, roleName(g.UserType)})
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: nonNil(groups),
		Headers: []string{"Group ID", "Name", "Main server", "Role"}, Rows: rows})
}

// GroupInvitationsOptions are the inputs of `imictl im group invitations`.
type GroupInvitationsOptions struct {
	Options
	User string
	Wait bool
	// Poll is the polling interval of --wait.
	Poll time.Duration
}

// NewCmdGroupInvitations returns `imictl im group invitations`.
func NewCmdGroupInvitations(f *cmdutil.Factory, runF func(*GroupInvitationsOptions) error) *cobra.Command {
	opts := &GroupInvitationsOptions{Options: newOptions(f), Poll: pollInterval}
	cmd := &cobra.Command{
		Use:   "invitations USER [--wait]",
		Short: "List the invitations into groups a local user has not answered",
		Long: `List the invitations into groups that the local user USER has not answered
yet: "imictl im group accept" or "refuse" answers one. --wait waits until
there is at least one.`,
		Example: `  imictl im group invitations bob --data-dir ./second --wait`,
		Args:    cobra.ExactArgs(1),
		RunE:    userRunE(f, &opts.Options, &opts.User, opts, runF, groupInvitationsRun),
	}
	cmd.Flags().BoolVar(&opts.Wait, "wait", false, "wait until there is an invitation to show")
	opts.addFlags(cmd)
	return cmd
}

func groupInvitationsRun(cmd *cobra.Command, opts *GroupInvitationsOptions) error {
	c := opts.Client()
	defer c.Close()
	ctx := cmd.Context()
	for {
		invs, err := c.GroupInvitations(ctx, opts.User)
		if err != nil {
			return opts.fail(err)
		}
		if len(invs) > 0 || !opts.Wait {
			return output.Print(opts.IO.Out, opts.Format, invitationsView(invs))
		}
		if err := pause(ctx, opts.Poll); err != nil {
			return err
		}
	}
}

// invitation is the JSON of an invitation: the admin API's, with the time
// as RFC 3339 in UTC like every time imictl prints.
type invitation struct {
	GroupID   string    `json:"groupID"`
	GroupName string    `json:"groupName"`
	Invitee   string    `json:"invitee"`
	Inviter   string    `json:"inviter"`
	Main      string    `json:"main"`
	InvitedAt time.Time `json:"invitedAt"`
}

func invitationsView(invs []adminapi.GroupInvitation) output.View {
	data := make([]invitation, 0, len(invs))
	rows := make([][]string, 0, len(invs))
	for _, inv := range invs {
		at := inv.InvitedAt.UTC()
		data = append(data, invitation{GroupID: inv.GroupID, GroupName: inv.GroupName, Invitee: inv.Invitee, Inviter: inv.Inviter, Main: inv.Main, InvitedAt: at})
		rows = append(rows, []string{inv.GroupID, inv.GroupName, inv.Inviter, when(at)})
	}
	return output.View{Data: data, Headers: []string{"Group ID", "Name", "Invited by", "Invited"}, Rows: rows}
}

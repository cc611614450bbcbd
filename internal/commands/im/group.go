package im

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

func newCmdGroup(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("group", "Create groups, invite, answer, send and read as local users")
	cmd.Long = `Groups whose members are on any server (the standard's G1-G12). A group lives
on the server of its creator, its main server, and its id is xxxx@<that
server's serverId>; other servers only route their members to it. Every
command acts as a local user (--user, or --from for send): on the main
server it is done there, elsewhere the server asks the main one (G1-G4, G8,
G9, G11, G12), and the main server tells every server with members (G10).

GROUP is the group's id, or the name of one of the user's groups as
"imictl im group list USER" shows it (as "imictl im group invitations USER"
does, for accept and refuse) when no other of them has that name.`
	cmd.AddCommand(
		NewCmdGroupCreate(f, nil),
		NewCmdGroupList(f, nil),
		NewCmdGroupInvitations(f, nil),
		NewCmdGroupShow(f, nil),
		NewCmdGroupMembers(f, nil),
		NewCmdGroupInvite(f, nil),
		NewCmdGroupAnswer(f, true, nil),
		NewCmdGroupAnswer(f, false, nil),
		NewCmdGroupRemove(f, nil),
		NewCmdGroupQuit(f, nil),
		NewCmdGroupDissolve(f, nil),
		NewCmdGroupSet(f, nil),
		NewCmdGroupAdmin(f, nil),
		NewCmdGroupTransfer(f, nil),
		NewCmdGroupSend(f, nil),
		NewCmdGroupHistory(f, nil),
	)
	return cmd
}

// GroupRef is the group a command is about and the local user acting.
type GroupRef struct {
	Group string // as given: an id, or a name
	User  string
}

// groupRunE is the RunE of a command on GROUP (its one argument) as the local
// member --user: it checks the reference, then runs runF (tests) or run.
func groupRunE[T any](f *cmdutil.Factory, o *Options, ref *GroupRef, opts T, runF func(T) error, run func(*cobra.Command, T) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		ref.Group = args[0]
		o.prepare(f, cmd)
		if err := ref.validate("--user"); err != nil {
			return err
		}
		if runF != nil {
			return runF(opts)
		}
		return run(cmd, opts)
	}
}

// addUserFlag adds the required --user flag: the local user acting.
func addUserFlag(cmd *cobra.Command, user *string, usage string) {
	cmd.Flags().StringVar(user, "user", "", usage)
	_ = cmd.MarkFlagRequired("user")
}

// validate checks the local user and, when GROUP is an id, the id.
func (g *GroupRef) validate(userFlag string) error {
	if err := checkLocalUser(userFlag, g.User); err != nil {
		return err
	}
	if g.Group == "" {
		return cmdutil.UsageError("GROUP is empty: give a group id or a group's name")
	}
	if isGroupID(g.Group) {
		if _, err := wire.ParseAddress(g.Group); err != nil {
			return cmdutil.UsageError("GROUP %q: %v", g.Group, err)
		}
	}
	return nil
}

func isGroupID(s string) bool { return strings.Contains(s, "@") }

// id is the group's id: GROUP itself, or the id of the one of the user's
// groups (invitations, when invited is set) named GROUP.
func (g *GroupRef) id(ctx context.Context, c *adminclient.Client, invited bool) (string, error) {
	if isGroupID(g.Group) {
		return g.Group, nil
	}
	var ids []string
	where, list := "groups", "imictl im group list "+g.User
	if invited {
		invs, err := c.GroupInvitations(ctx, g.User)
		if err != nil {
			return "", err
		}
		for _, inv := range invs {
			if inv.GroupName == g.Group {
				ids = append(ids, inv.GroupID)
			}
		}
		where, list = "pending invitations", "imictl im group invitations "+g.User
	} else {
		groups, err := c.Groups(ctx, g.User)
		if err != nil {
			return "", err
		}
		for _, e := range groups {
			if e.GroupName == g.Group {
				ids = append(ids, e.GroupID)
			}
		}
	}
	switch len(ids) {
	case 0:
		return "", cmdutil.NotFoundError("none of %s's %s is named %q: see %s", g.User, where, g.Group, list)
	case 1:
		return ids[0], nil
	}
	return "", cmdutil.UsageError("%d of %s's %s are named %q (%s): give the group id", len(ids), g.User, where, g.Group, strings.Join(ids, ", "))
}

// yesNoFlag reads a yes|no flag as the standard's 1 (yes) or 2 (no); ""
// is 0, not given.
func yesNoFlag(flag, v string) (int, error) {
	switch strings.ToLower(v) {
	case "":
		return 0, nil
	case "yes", "1":
		return wire.Yes, nil
	case "no", "2":
		return wire.No, nil
	}
	return 0, cmdutil.UsageError("--%s %q: want yes or no", flag, v)
}

// roleName shows a member's userType.
func roleName(t int) string {
	switch t {
	case wire.MemberNormal:
		return "member"
	case wire.MemberAdmin:
		return "admin"
	case wire.MemberOwner:
		return "owner"
	case 0:
		return ""
	}
	return "unknown (" + strconv.Itoa(t) + ")"
}

func yesNoName(v int) string {
	switch v {
	case wire.Yes:
		return "yes"
	case wire.No:
		return "no"
	}
	return "unknown (" + strconv.Itoa(v) + ")"
}

// groupView shows a group as its main server describes it.
func groupView(g adminapi.GroupView) output.View {
	created := ""
	if g.GroupInfo.CreateTime > 0 {
		created = when(time.UnixMilli(g.GroupInfo.CreateTime))
	}
	return output.View{Data: g, Details: []output.Field{
		{Key: "Group ID", Value: g.GroupInfo.GroupID}, {Key: "Name", Value: g.GroupInfo.GroupName}, {Key: "Icon", Value: g.GroupInfo.GroupIcon},
		{Key: "Main server", Value: g.Main}, {Key: "Members", Value: strconv.Itoa(g.GroupInfo.GroupMemberNum)},
		{Key: "Created by", Value: g.GroupInfo.CreateUser}, {Key: "Created", Value: created},
		{Key: "Members may invite", Value: yesNoName(g.GSet.IsAllow)}, {Key: "Searchable", Value: yesNoName(g.GSet.IsVisible)},
	}}
}

// resultView shows what a group operation did.
func resultView(r adminapi.GroupResult) output.View {
	r.Users = nonNil(r.Users)
	return output.View{Data: r, Details: []output.Field{
		{Key: "Group ID", Value: r.GroupID}, {Key: "Done", Value: r.Done}, {Key: "Users", Value: joinOr(r.Users, "-")},
	}}
}

// messageSummary is summary for a message as the wire carries it.
func messageSummary(m wire.MessageInfo) string {
	content, _ := json.Marshal(m.Content) // wire content types always encode
	return summary(imstore.Message{MessageID: m.MessageID, MessageType: m.MessageType, Content: content, FileID: m.FileID})
}

// withGroup opens the server's admin client, finds the group ref names
// (among the user's invitations when invited is set) and runs fn on it.
func withGroup(cmd *cobra.Command, o *Options, ref *GroupRef, invited bool,
	fn func(ctx context.Context, c *adminclient.Client, id string) error) error {
	c := o.Client()
	defer c.Close()
	ctx := cmd.Context()
	id, err := ref.id(ctx, c, invited)
	if err != nil {
		return o.fail(err)
	}
	return fn(ctx, c, id)
}

// runGroupOp does op on the group ref names and prints what it did.
func runGroupOp(cmd *cobra.Command, o *Options, ref *GroupRef, invited bool,
	op func(ctx context.Context, c *adminclient.Client, id string) (adminapi.GroupResult, error)) error {
	return withGroup(cmd, o, ref, invited, func(ctx context.Context, c *adminclient.Client, id string) error {
		r, err := op(ctx, c, id)
		if err != nil {
			return o.fail(err)
		}
		return output.Print(o.IO.Out, o.Format, resultView(r))
	})
}

// showGroup prints the group ref names, as fn gets it.
func showGroup(cmd *cobra.Command, o *Options, ref *GroupRef,
	fn func(ctx context.Context, c *adminclient.Client, id string) (adminapi.GroupView, error)) error {
	return withGroup(cmd, o, ref, false, func(ctx context.Context, c *adminclient.Client, id string) error {
		g, err := fn(ctx, c, id)
		if err != nil {
			return o.fail(err)
		}
		return output.Print(o.IO.Out, o.Format, groupView(g))
	})
}

package sns

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/wire"
)

// The group commands (G1-G12) name the group by its id, xxxx@serverId of
// its main server: the server they call unless --to or --url say
// otherwise (G7 and G10 go the other way, from the main server to the
// members' servers).

// settingsFlags are --allow-invite and --visible, the group settings (gset
// of G9, grpset of G10), each 1 or 2, given together or not at all.
type settingsFlags struct {
	allow, visible int
}

func addSettingsFlags(cmd *cobra.Command, s *settingsFlags) {
	cmd.Flags().IntVar(&s.allow, "allow-invite", 0, "gset.isAllow `N`: 1 members may invite others, 2 they may not")
	cmd.Flags().IntVar(&s.visible, "visible", 0, "gset.isVisible `N`: 1 the group may be found by search, 2 it may not")
	cmd.MarkFlagsRequiredTogether("allow-invite", "visible")
}

// settings is the gset the flags give, nil when they were not given.
func (s settingsFlags) settings() *wire.GroupSettings {
	if s.allow == 0 && s.visible == 0 {
		return nil
	}
	return &wire.GroupSettings{IsAllow: s.allow, IsVisible: s.visible}
}

// groupDetails shows a groupInfo.
func groupDetails(g wire.GroupInfo) []output.Field {
	created := ""
	if g.CreateTime != 0 {
		created = strconv.FormatInt(g.CreateTime, 10)
	}
	return []output.Field{
		{Key: "Group ID", Value: g.GroupID}, {Key: "Name", Value: g.GroupName}, {Key: "Icon", Value: g.GroupIcon},
		{Key: "Members", Value: strconv.Itoa(g.GroupMemberNum)}, {Key: "Created by", Value: g.CreateUser},
		{Key: "Created (ms)", Value: created},
	}
}

// settingsDetails shows a gset.
func settingsDetails(s wire.GroupSettings) []output.Field {
	return []output.Field{{Key: "Members may invite", Value: yesNo(s.IsAllow)}, {Key: "Searchable", Value: yesNo(s.IsVisible)}}
}

// memberTypeName shows G12's userType.
func memberTypeName(t int) string {
	switch t {
	case wire.MemberNormal:
		return "member (1)"
	case wire.MemberAdmin:
		return "admin (2)"
	case wire.MemberOwner:
		return "owner (3)"
	}
	return "unknown (" + strconv.Itoa(t) + ")"
}

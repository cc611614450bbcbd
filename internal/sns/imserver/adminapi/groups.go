package adminapi

import (
	"time"

	"github.com/imictl/imictl/internal/sns/wire"
)

// Paths of the group operations (docs/PROTOCOL.md, section 9). Every one
// acts as a local user ("user"); on the main group's server it is done
// there, on another server it becomes the group interface that asks the
// main group's server (G1, G2, G3, G4, G8, G9, G11, G12, or S1 type 2).
const (
	PathGroups           = "/v1/groups"             // GET ?user= -> []GroupEntry; POST NewGroup -> GroupView
	PathGroupShow        = "/v1/groups/show"        // GET ?user=&group= -> GroupView (G11 when remote)
	PathGroupMembers     = "/v1/groups/members"     // GET ?user=&group= -> []wire.GroupMember (G12 when remote)
	PathGroupInvitations = "/v1/groups/invitations" // GET ?user= -> []GroupInvitation
	PathGroupInvite      = "/v1/groups/invite"      // POST GroupInvite -> GroupResult (G1)
	PathGroupAnswer      = "/v1/groups/answer"      // POST GroupAnswer -> GroupResult (G2)
	PathGroupRemove      = "/v1/groups/remove"      // POST GroupMembersChange -> GroupResult (G3)
	PathGroupQuit        = "/v1/groups/quit"        // POST GroupUser -> GroupResult (G4)
	PathGroupDissolve    = "/v1/groups/dissolve"    // POST GroupUser -> GroupResult (G5: G10 operType 3)
	PathGroupSet         = "/v1/groups/set"         // POST GroupSet -> GroupView (G9)
	PathGroupAdmin       = "/v1/groups/admin"       // POST GroupAdmin -> GroupResult (G10 operType 4, 5)
	PathGroupTransfer    = "/v1/groups/transfer"    // POST GroupTransfer -> GroupResult (G10 operType 6)
	PathGroupMessages    = "/v1/groups/messages"    // POST GroupSend -> imstore.SentMessage (S1 type 2)
	PathGroupHistory     = "/v1/groups/history"     // GET ?user=&group=&after=&limit= -> GroupHistory (G8 when remote)
)

// Results of group operations (GroupResult.Done).
const (
	GroupDoneInvited     = "invited"
	GroupDoneJoined      = "joined"
	GroupDoneRefused     = "refused"
	GroupDoneRemoved     = "removed"
	GroupDoneQuit        = "quit"
	GroupDoneDissolved   = "dissolved"
	GroupDoneAdminSet    = "admin-set"
	GroupDoneAdminUnset  = "admin-unset"
	GroupDoneTransferred = "transferred"
)

// NewGroup is a group a local user creates on this server, which becomes
// its main group's server; the user is its owner. IsAllow and IsVisible
// are 1 (yes) or 2 (no); 0 means the defaults, members may invite (1) and
// the group cannot be found (2).
type NewGroup struct {
	User      string `json:"user"`
	Name      string `json:"name"`
	Icon      string `json:"icon,omitempty"`
	IsAllow   int    `json:"isAllow,omitempty"`
	IsVisible int    `json:"isVisible,omitempty"`
}

// GroupView is a group as its main server describes it (G11).
type GroupView struct {
	GroupInfo wire.GroupInfo     `json:"groupInfo"`
	GSet      wire.GroupSettings `json:"gset"`
	Main      string             `json:"main"` // the main group's server
}

// GroupEntry is a group a local user belongs to. GroupName is the main
// server's on the main server, and elsewhere the name the invitation
// carried (other servers keep no group data; GroupShow asks).
type GroupEntry struct {
	GroupID   string `json:"groupID"`
	GroupName string `json:"groupName"`
	Main      string `json:"main"`
	UserType  int    `json:"userType,omitempty"` // 1 member, 2 admin, 3 owner; known on the main server only
}

// GroupInvitation is an invitation a local user has not answered yet.
type GroupInvitation struct {
	GroupID   string    `json:"groupID"`
	GroupName string    `json:"groupName"`
	Invitee   string    `json:"invitee"`
	Inviter   string    `json:"inviter"`
	Main      string    `json:"main"`
	InvitedAt time.Time `json:"invitedAt"`
}

// GroupInvite invites Users (full ids, or local users' ids) into Group.
type GroupInvite struct {
	User  string   `json:"user"`
	Group string   `json:"group"`
	Users []string `json:"users"`
}

// GroupAnswer answers an invitation into Group; agreeing without an
// invitation applies to join, which a searchable group (isVisible 1)
// accepts.
type GroupAnswer struct {
	User  string `json:"user"`
	Group string `json:"group"`
	Agree bool   `json:"agree"`
}

// GroupMembersChange removes Members from Group (the owner only).
type GroupMembersChange struct {
	User    string   `json:"user"`
	Group   string   `json:"group"`
	Members []string `json:"members"`
}

// GroupUser is a local user acting on a group (quit, dissolve).
type GroupUser struct {
	User  string `json:"user"`
	Group string `json:"group"`
}

// GroupSet changes what is not nil or 0: the name, the icon, isAllow and
// isVisible (1 yes, 2 no). The owner or an admin only.
type GroupSet struct {
	User      string  `json:"user"`
	Group     string  `json:"group"`
	Name      *string `json:"name,omitempty"`
	Icon      *string `json:"icon,omitempty"`
	IsAllow   int     `json:"isAllow,omitempty"`
	IsVisible int     `json:"isVisible,omitempty"`
}

// GroupAdmin makes Member an admin of Group, or a plain member again
// (the owner only).
type GroupAdmin struct {
	User   string `json:"user"`
	Group  string `json:"group"`
	Member string `json:"member"`
	Admin  bool   `json:"admin"`
}

// GroupTransfer hands Group's ownership to To, a member on the main
// group's server (§6.4.2.1); the owner becomes a plain member.
type GroupTransfer struct {
	User  string `json:"user"`
	Group string `json:"group"`
	To    string `json:"to"`
}

// GroupSend is a message a local member sends to Group; files are
// uploaded first (PathFiles), as for one-to-one messages.
type GroupSend struct {
	User        string `json:"user"`
	Group       string `json:"group"`
	MessageType string `json:"messageType"` // text, image, voice or file
	Text        string `json:"text,omitempty"`
	FileID      string `json:"fileID,omitempty"`
	Duration    int    `json:"duration,omitempty"`
}

// GroupResult says what a group operation did, to whom.
type GroupResult struct {
	GroupID string   `json:"groupID"`
	Done    string   `json:"done"` // one of the GroupDone* words
	Users   []string `json:"users"`
}

// GroupHistory is a page of a group's messages, oldest first (G8): those
// after the messageID asked for; NewestMessageID is the group's newest.
type GroupHistory struct {
	NewestMessageID string             `json:"newestMessageID"`
	Messages        []wire.MessageInfo `json:"messages"`
}

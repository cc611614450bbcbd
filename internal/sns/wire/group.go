package wire

import (
	"encoding/json"

	"github.com/imictl/imictl/internal/lenient"
)

// GroupInfo is the group record of §6.4.1.2. The source shows every value
// as ""; we emit groupMemberNum as a number and createTime as milliseconds
// since the Unix epoch, and accept both as strings too.
type GroupInfo struct {
	GroupID        string `json:"groupID" lenient:"trim"`
	GroupName      string `json:"groupName"`
	GroupIcon      string `json:"groupIcon"`
	GroupMemberNum int    `json:"groupMemberNum"`
	CreateUser     string `json:"createUser" lenient:"trim"`
	CreateTime     int64  `json:"createTime"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (g *GroupInfo) UnmarshalJSON(b []byte) error { return lenient.Decode(b, g) }

// Validate requires a groupID and checks the optional fields that are ids.
func (g *GroupInfo) Validate() error {
	if err := requireAddress("groupID", g.GroupID); err != nil {
		return err
	}
	if g.CreateUser != "" {
		if err := checkAddress("createUser", g.CreateUser); err != nil {
			return err
		}
	}
	if g.GroupMemberNum < 0 {
		return lenient.Errorf("groupMemberNum", "negative")
	}
	if g.CreateTime < 0 {
		return lenient.Errorf("createTime", "want milliseconds since 1970, got a negative number")
	}
	return nil
}

// GroupSettings is "gset" (G9, G11) or "grpset" (G10); each value is Yes or No.
type GroupSettings struct {
	IsAllow   int `json:"isAllow"`   // members may invite others
	IsVisible int `json:"isVisible"` // the group can be found by search
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (s *GroupSettings) UnmarshalJSON(b []byte) error { return lenient.Decode(b, s) }

// Validate requires both values to be 1 or 2.
func (s *GroupSettings) Validate() error {
	if err := oneOrTwo("isAllow", s.IsAllow, "1 (members may invite) or 2 (they may not)"); err != nil {
		return err
	}
	return oneOrTwo("isVisible", s.IsVisible, "1 (searchable) or 2 (hidden)")
}

// InviteRequest is the body of G1, POST /sns/invite/grpreq: UserID invites
// ReqInfo.InviteUsers into ReqInfo.GroupInfo.
type InviteRequest struct {
	UserID  string     `json:"userID" lenient:"trim"`
	ReqInfo InviteInfo `json:"reqInfo"`
}

// InviteInfo is the reqInfo of G1. GroupInfo needs only groupID and
// groupName; UserInfo (the inviter) may be left out between friends.
type InviteInfo struct {
	GroupInfo   GroupInfo `json:"groupInfo"`
	UserInfo    *UserInfo `json:"userInfo,omitempty"`
	InviteUsers []string  `json:"inviteUsers" lenient:"trim"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *InviteRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *InviteInfo) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks the inviter, the group and the invitees.
func (r *InviteRequest) Validate() error {
	if err := requireAddress("userID", r.UserID); err != nil {
		return err
	}
	in := &r.ReqInfo
	if err := lenient.Within("reqInfo.groupInfo", in.GroupInfo.Validate()); err != nil {
		return err
	}
	if in.UserInfo != nil {
		if err := sameUser("reqInfo.userInfo", *in.UserInfo, r.UserID); err != nil {
			return err
		}
	}
	return requireAddresses("reqInfo.inviteUsers", in.InviteUsers)
}

// InviteReply is the body of G2, POST /sns/invite/grprep?groupID=: the
// invited OwnerID answers Yes (agree) or No (refuse).
type InviteReply struct {
	OwnerID    string `json:"ownerID" lenient:"trim"`
	RespResult int    `json:"respResult"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *InviteReply) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks ownerID and respResult.
func (r *InviteReply) Validate() error {
	if err := requireAddress("ownerID", r.OwnerID); err != nil {
		return err
	}
	return oneOrTwo("respResult", r.RespResult, "1 (agree) or 2 (refuse)")
}

// RemoveMembersRequest is the body of G3, POST /sns/remove/grpmembers?groupID=.
// The source spells the list "delateMembers"; we emit that and accept
// "deleteMembers" too.
type RemoveMembersRequest struct {
	OwnerID string   `json:"ownerID" lenient:"trim"`
	Members []string `json:"delateMembers" alias:"deleteMembers" lenient:"trim"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *RemoveMembersRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks the operator and the members.
func (r *RemoveMembersRequest) Validate() error {
	if err := requireAddress("ownerID", r.OwnerID); err != nil {
		return err
	}
	return requireAddresses("delateMembers", r.Members)
}

// QuitRequest is the body of G4, POST /sns/quit/grpmember?groupID=.
type QuitRequest struct {
	OwnerID string `json:"ownerID" lenient:"trim"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *QuitRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks ownerID.
func (r *QuitRequest) Validate() error { return requireAddress("ownerID", r.OwnerID) }

// NotifyGroupChatRequest is the body of G7, POST /sns/notify/grpchat?groupID=:
// the main group's server fans a message out to UserIDs on the receiver.
type NotifyGroupChatRequest struct {
	UserIDs     []string    `json:"userIDs" lenient:"trim"`
	MessageInfo MessageInfo `json:"messageInfo"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *NotifyGroupChatRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks the recipients and the message.
func (r *NotifyGroupChatRequest) Validate() error {
	if err := requireAddresses("userIDs", r.UserIDs); err != nil {
		return err
	}
	return lenient.Within("messageInfo", r.MessageInfo.Validate())
}

// GroupChatHistoryResponse answers G8, GET /sns/grpchat?groupID=&messageID=:
// the messages after messageID, oldest first.
type GroupChatHistoryResponse struct {
	Envelope
	NewestMessageID string        `json:"newestMessageID" lenient:"trim"`
	Messages        []MessageInfo `json:"messages"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *GroupChatHistoryResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// MarshalJSON emits "messages":[] rather than null.
func (r GroupChatHistoryResponse) MarshalJSON() ([]byte, error) {
	type plain GroupChatHistoryResponse
	r.Messages = lenient.NonNil(r.Messages)
	return json.Marshal(plain(r))
}

// UpdateGroupInfoRequest is the body of G9, POST /sns/update/grpinfo?groupID=:
// an owner or admin on another server changes the settings, the info, or
// both; a part left out (nil) is not changed. "grpset" is accepted for "gset".
type UpdateGroupInfoRequest struct {
	OwnerID   string         `json:"ownerID" lenient:"trim"`
	GSet      *GroupSettings `json:"gset,omitempty" alias:"grpset"`
	GroupInfo *GroupInfo     `json:"groupInfo,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *UpdateGroupInfoRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks ownerID and whichever parts are present.
func (r *UpdateGroupInfoRequest) Validate() error {
	if err := requireAddress("ownerID", r.OwnerID); err != nil {
		return err
	}
	if r.GSet == nil && r.GroupInfo == nil {
		return lenient.Errorf("gset", "required: send gset, groupInfo or both")
	}
	if r.GSet != nil {
		if err := lenient.Within("gset", r.GSet.Validate()); err != nil {
			return err
		}
	}
	if r.GroupInfo != nil && r.GroupInfo.GroupID != "" {
		return lenient.Within("groupInfo", r.GroupInfo.Validate())
	}
	return nil
}

// operType values of G10.
const (
	OperAddMembers    = 1
	OperRemoveMembers = 2 // removed or quit
	OperDissolve      = 3
	OperSetAdmin      = 4
	OperUnsetAdmin    = 5
	OperTransfer      = 6
	OperInfoChanged   = 7 // group info or settings changed
)

// GroupNotifyRequest is the body of G10, POST /sns/notify/grpnotify?groupID=.
// OperUser did OperType to Users. "gset" is accepted for "grpset".
type GroupNotifyRequest struct {
	OperType int            `json:"operType"`
	OperUser UserInfo       `json:"operUser"`
	GrpSet   *GroupSettings `json:"grpset,omitempty" alias:"gset"`
	Users    []UserInfo     `json:"users"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *GroupNotifyRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// MarshalJSON emits "users":[] rather than null.
func (r GroupNotifyRequest) MarshalJSON() ([]byte, error) {
	type plain GroupNotifyRequest
	r.Users = lenient.NonNil(r.Users)
	return json.Marshal(plain(r))
}

// Validate checks operType, the operator, the settings and the users.
func (r *GroupNotifyRequest) Validate() error {
	if r.OperType < OperAddMembers || r.OperType > OperInfoChanged {
		return lenient.Errorf("operType", "want 1 to 7, got "+itoa(r.OperType))
	}
	if err := lenient.Within("operUser", r.OperUser.Validate()); err != nil {
		return err
	}
	if r.GrpSet != nil {
		if err := lenient.Within("grpset", r.GrpSet.Validate()); err != nil {
			return err
		}
	}
	for i := range r.Users {
		if err := lenient.Within("users["+itoa(i)+"]", r.Users[i].Validate()); err != nil {
			return err
		}
	}
	return nil
}

// GroupInfoResponse answers G11, GET /sns/grpinfo?groupID=&userID=.
type GroupInfoResponse struct {
	Envelope
	GSet      GroupSettings `json:"gset" alias:"grpset"`
	GroupInfo GroupInfo     `json:"groupInfo"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *GroupInfoResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// userType values of G12.
const (
	MemberNormal = 1
	MemberAdmin  = 2
	MemberOwner  = 3
)

// GroupMember is one entry of G12's members.
type GroupMember struct {
	UserType int      `json:"userType"`
	UserInfo UserInfo `json:"userInfo"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (m *GroupMember) UnmarshalJSON(b []byte) error { return lenient.Decode(b, m) }

// GroupMembersResponse answers G12, GET /sns/grpmembers?groupID=&userID=.
type GroupMembersResponse struct {
	Envelope
	Members []GroupMember `json:"members"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *GroupMembersResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// MarshalJSON emits "members":[] rather than null.
func (r GroupMembersResponse) MarshalJSON() ([]byte, error) {
	type plain GroupMembersResponse
	r.Members = lenient.NonNil(r.Members)
	return json.Marshal(plain(r))
}

// SetFileID makes a media message carry another fileID, in messageInfo and
// in its content: the main group's server re-hosts a member's file under
// its own id (§6.4.2.10) before it fans the message out.
func (m *MessageInfo) SetFileID(id string) {
	m.FileID = id
	if p := fileIDOf(m.Content); p != nil {
		*p = id
	}
}

// DecodeContent types a stored content object by its messageType, as
// MessageInfo's decoding does; an unknown messageType gives nil.
func DecodeContent(messageType string, raw json.RawMessage) (Content, error) {
	return decodeContent(messageType, raw)
}

package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Every group wire type reads what other vendors send (interfaces.md §4
// Profile): enumerations as numbers, strings or padded strings, both
// spellings of the G3 list, gset and grpset, numbers of groupInfo as
// strings; and each refuses, by field, what it cannot read or accept.
func TestGroupTypesLenient(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		into interface{ Validate() error }
		want any
	}{
		{"G1, groupMemberNum and createTime as strings", `{"userID":"u@abc","reqInfo":{"groupInfo":{"groupID":" g@abc ","groupName":"G","groupMemberNum":"3","createTime":"1700000000000"},"inviteUsers":[" b@y"]}}`, &InviteRequest{},
			&InviteRequest{UserID: "u@abc", ReqInfo: InviteInfo{GroupInfo: GroupInfo{GroupID: "g@abc", GroupName: "G", GroupMemberNum: 3, CreateTime: 1700000000000}, InviteUsers: []string{"b@y"}}}},
		{"G2 respResult as string", `{"ownerID":"b@y","respResult":"1"}`, &InviteReply{}, &InviteReply{OwnerID: "b@y", RespResult: 1}},
		{"G2 respResult as number", `{"ownerID":"b@y","respResult":2}`, &InviteReply{}, &InviteReply{OwnerID: "b@y", RespResult: 2}},
		{"G2 respResult padded, key cased", `{"OwnerID":"b@y","respresult":" 2 "}`, &InviteReply{}, &InviteReply{OwnerID: "b@y", RespResult: 2}},
		{"G3 delateMembers (the source's)", `{"ownerID":"u@abc","delateMembers":["b@y"]}`, &RemoveMembersRequest{}, &RemoveMembersRequest{OwnerID: "u@abc", Members: []string{"b@y"}}},
		{"G3 deleteMembers", `{"ownerID":"u@abc","deleteMembers":["b@y"]}`, &RemoveMembersRequest{}, &RemoveMembersRequest{OwnerID: "u@abc", Members: []string{"b@y"}}},
		{"G4", `{"ownerID ":" b@y"}`, &QuitRequest{}, &QuitRequest{OwnerID: "b@y"}},
		{"G7 with type as string", `{"userIDs":["b@y"],"messageInfo":{"senderID":"a@x","recvID":"g@x","messagetype":"TEXT","version":"v1","type":"2","messageID":"m@x","content":{"message":"hi"}}}`, &NotifyGroupChatRequest{},
			&NotifyGroupChatRequest{UserIDs: []string{"b@y"}, MessageInfo: MessageInfo{SenderID: "a@x", RecvID: "g@x", MessageType: "text", Version: "v1", Type: 2, MessageID: "m@x", Content: &TextContent{Message: "hi"}}}},
		{"G9 isAllow and isVisible as strings", `{"ownerID":"u@abc","gset":{"isAllow":"1","isVisible":"2"}}`, &UpdateGroupInfoRequest{},
			&UpdateGroupInfoRequest{OwnerID: "u@abc", GSet: &GroupSettings{IsAllow: 1, IsVisible: 2}}},
		{"G9 as grpset, numbers", `{"ownerID":"u@abc","grpset":{"isAllow":2,"isVisible":1},"groupInfo":{"groupName":"N"}}`, &UpdateGroupInfoRequest{},
			&UpdateGroupInfoRequest{OwnerID: "u@abc", GSet: &GroupSettings{IsAllow: 2, IsVisible: 1}, GroupInfo: &GroupInfo{GroupName: "N"}}},
		{"G10 operType as string", `{"operType":"3","operUser":{"userID":"u@abc"},"users":[]}`, &GroupNotifyRequest{},
			&GroupNotifyRequest{OperType: 3, OperUser: UserInfo{UserID: "u@abc"}, Users: []UserInfo{}}},
		{"G10 operType as number, gset spelling, settings as strings", `{"operType":1,"operUser":{"userID":"u@abc"},"gset":{"isAllow":" 1","isVisible":"2 "},"users":[{"userID":"b@y"}]}`, &GroupNotifyRequest{},
			&GroupNotifyRequest{OperType: 1, OperUser: UserInfo{UserID: "u@abc"}, GrpSet: &GroupSettings{IsAllow: 1, IsVisible: 2}, Users: []UserInfo{{UserID: "b@y"}}}},
		{"G10 operType padded", `{"operType":" 7 ","operUser":{"userID":"u@abc"}}`, &GroupNotifyRequest{},
			&GroupNotifyRequest{OperType: 7, OperUser: UserInfo{UserID: "u@abc"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := json.Unmarshal([]byte(tc.in), tc.into); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tc.into, tc.want) {
				t.Errorf("got  %+v\nwant %+v", tc.into, tc.want)
			}
			if err := tc.into.Validate(); err != nil {
				t.Errorf("valid after decoding, but: %v", err)
			}
		})
	}
}

// The answers (G8, G11, G12) read their enumerations both ways too.
func TestGroupAnswersLenient(t *testing.T) {
	var g11 GroupInfoResponse
	if err := json.Unmarshal([]byte(`{"code":"0","grpset":{"isAllow":"2","isVisible":1},"groupInfo":{"groupID":"g@abc","groupMemberNum":"4"}}`), &g11); err != nil {
		t.Fatal(err)
	}
	if g11.GSet != (GroupSettings{IsAllow: 2, IsVisible: 1}) || g11.GroupInfo.GroupMemberNum != 4 {
		t.Errorf("G11: %+v", g11)
	}
	var g12 GroupMembersResponse
	if err := json.Unmarshal([]byte(`{"code":0,"members":[{"userType":"3","userInfo":{"userID":"u@abc"}},{"userType":2,"userInfo":{"userID":"b@y"}},{"userType":" 1 ","userInfo":{"userID":"c@y"}}]}`), &g12); err != nil {
		t.Fatal(err)
	}
	if len(g12.Members) != 3 || g12.Members[0].UserType != 3 || g12.Members[1].UserType != 2 || g12.Members[2].UserType != 1 {
		t.Errorf("G12: %+v", g12)
	}
	var g8 GroupChatHistoryResponse
	if err := json.Unmarshal([]byte(`{"code":"0","newestMessageID":" m2@x","messages":[{"senderID":"a@x","messageType":"text","type":"2","content":{"message":"hi"}}]}`), &g8); err != nil {
		t.Fatal(err)
	}
	if g8.NewestMessageID != "m2@x" || len(g8.Messages) != 1 || g8.Messages[0].Type != 2 {
		t.Errorf("G8: %+v", g8)
	}
}

// What cannot be read, or is out of range, is refused by field.
func TestGroupTypesRefused(t *testing.T) {
	for _, tc := range []struct {
		in   string
		into interface{ Validate() error }
		want string // in the decoding or the validation error
	}{
		{`{"ownerID":"b@y","respResult":"yes"}`, &InviteReply{}, `respResult: want an integer`},
		{`{"ownerID":"b@y","respResult":3}`, &InviteReply{}, `respResult: want 1 (agree) or 2 (refuse), got 3`},
		{`{"ownerID":"b@y","respResult":"1.0"}`, &InviteReply{}, `respResult: want an integer`},
		{`{"ownerID":"u@abc","delateMembers":[]}`, &RemoveMembersRequest{}, `delateMembers: required`},
		{`{"ownerID":"u@abc","deleteMembers":["nobody"]}`, &RemoveMembersRequest{}, `delateMembers[0]`},
		{`{"ownerID":"u@abc","gset":{"isAllow":"0","isVisible":"1"}}`, &UpdateGroupInfoRequest{}, `gset.isAllow: want 1 (members may invite) or 2 (they may not), got 0`},
		{`{"ownerID":"u@abc","gset":{"isAllow":1,"isVisible":"3"}}`, &UpdateGroupInfoRequest{}, `gset.isVisible: want 1 (searchable) or 2 (hidden), got 3`},
		{`{"ownerID":"u@abc","gset":{"isAllow":true,"isVisible":1}}`, &UpdateGroupInfoRequest{}, `gset.isAllow: want an integer, got boolean`},
		{`{"ownerID":"u@abc"}`, &UpdateGroupInfoRequest{}, `required: send gset, groupInfo or both`},
		{`{"operType":"8","operUser":{"userID":"u@abc"}}`, &GroupNotifyRequest{}, `operType: want 1 to 7, got 8`},
		{`{"operType":"0x3","operUser":{"userID":"u@abc"}}`, &GroupNotifyRequest{}, `operType: want an integer`},
		{`{"operType":2,"operUser":{"userID":"u@abc"},"grpset":{"isAllow":1,"isVisible":1},"gset":{"isAllow":1,"isVisible":1}}`, &GroupNotifyRequest{}, `sent twice`},
		{`{"operType":2,"operUser":{"userID":"u@abc"},"users":[{"userID":"nobody"}]}`, &GroupNotifyRequest{}, `users[0].userID`},
		{`{"userIDs":[],"messageInfo":{}}`, &NotifyGroupChatRequest{}, `userIDs: required`},
		{`{"userID":"u@abc","reqInfo":{"groupInfo":{"groupID":"g@abc","groupMemberNum":"-1"},"inviteUsers":["b@y"]}}`, &InviteRequest{}, `groupMemberNum`},
	} {
		err := json.Unmarshal([]byte(tc.in), tc.into)
		if err == nil {
			err = tc.into.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n err = %v\nwant %s", tc.in, err, tc.want)
		}
	}
	var m GroupMembersResponse
	if err := json.Unmarshal([]byte(`{"members":[{"userType":"2.5"}]}`), &m); err == nil || !strings.Contains(err.Error(), "members[0].userType") {
		t.Errorf("userType 2.5: %v", err)
	}
}

package wire

import (
	"encoding/json"
	"reflect"
	"testing"
)

var alice = UserInfo{PhoneNumber: "13500001111", Remark: "r", Name: "Alice", Portrait: "p.png", UserID: "13500001111@abc", UpdateTime: 1700000000000}

// TestMarshalExact pins the bytes every type emits (the source's spellings,
// numbers as numbers, lists as []), and that each decodes back to itself:
// a type embedding Envelope without its own UnmarshalJSON would lose its
// other fields here.
func TestMarshalExact(t *testing.T) {
	group := GroupInfo{GroupID: "g1@abc", GroupName: "G", GroupIcon: "i", GroupMemberNum: 3, CreateUser: "u@abc", CreateTime: 1700000000000}
	gset := &GroupSettings{IsAllow: Yes, IsVisible: No}
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"OK", &Envelope{}, `{"code":0,"error":""}`},
		{"Fail", ptr(Fail("bad_request", "messageInfo.recvID: required")), `{"code":1,"error":"messageInfo.recvID: required","reason":"bad_request"}`},
		{"ChatRequest", &ChatRequest{MessageInfo: validText()}, `{"messageInfo":{"senderID":"a@x","recvID":"b@y","messageType":"text","version":"v1","type":1,"messageID":"m1@x","fileID":"","content":{"message":"hi"}}}`},
		{"UserInfo no time", &UserInfo{UserID: "u@abc"}, `{"phoneNumber":"","remark":"","name":"","portrait":"","userID":"u@abc"}`},
		{"FindUsersResponse", &FindUsersResponse{Envelope: OK(), Users: []UserInfo{alice}}, `{"code":0,"error":"","users":[{"phoneNumber":"13500001111","remark":"r","name":"Alice","portrait":"p.png","userID":"13500001111@abc","updateTime":1700000000000}]}`},
		{"FindUsersResponse empty", &FindUsersResponse{Users: []UserInfo{}}, `{"code":0,"error":"","users":[]}`},
		{"VerifyUserResponse", &VerifyUserResponse{VerifyType: VerifyAnyone}, `{"code":0,"error":"","verifyType":2}`},
		{"AddFriendRequest", &AddFriendRequest{UserID: "b@y", Remark: "hi", OwnerID: "u@abc", UserInfo: UserInfo{UserID: "u@abc"}}, `{"userID":"b@y","remark":"hi","ownerID":"u@abc","userInfo":{"phoneNumber":"","remark":"","name":"","portrait":"","userID":"u@abc"}}`},
		{"RespondFriendRequest", &RespondFriendRequest{UserID: "b@y", IsAgree: Yes, OwnerID: "u@abc", UserInfo: UserInfo{UserID: "u@abc"}}, `{"userID":"b@y","isAgree":1,"ownerID":"u@abc","userInfo":{"phoneNumber":"","remark":"","name":"","portrait":"","userID":"u@abc"}}`},
		{"DelFriendRequest", &DelFriendRequest{UserID: "b@y", OwnerID: "u@abc"}, `{"userID":"b@y","ownerID":"u@abc"}`},
		{"UserResponse", &UserResponse{UserInfo: UserInfo{UserID: "u@abc"}}, `{"code":0,"error":"","userInfo":{"phoneNumber":"","remark":"","name":"","portrait":"","userID":"u@abc"}}`},
		{"IsFriendResponse", &IsFriendResponse{IsFriend: No}, `{"code":0,"error":"","isFriend":2}`},
		{"InviteRequest", &InviteRequest{UserID: "u@abc", ReqInfo: InviteInfo{GroupInfo: GroupInfo{GroupID: "g1@abc", GroupName: "G"}, InviteUsers: []string{"b@y"}}}, `{"userID":"u@abc","reqInfo":{"groupInfo":{"groupID":"g1@abc","groupName":"G","groupIcon":"","groupMemberNum":0,"createUser":"","createTime":0},"inviteUsers":["b@y"]}}`},
		{"InviteReply", &InviteReply{OwnerID: "b@y", RespResult: Yes}, `{"ownerID":"b@y","respResult":1}`},
		{"RemoveMembersRequest", &RemoveMembersRequest{OwnerID: "u@abc", Members: []string{"b@y"}}, `{"ownerID":"u@abc","delateMembers":["b@y"]}`},
		{"QuitRequest", &QuitRequest{OwnerID: "b@y"}, `{"ownerID":"b@y"}`},
		{"NotifyGroupChatRequest", &NotifyGroupChatRequest{UserIDs: []string{"b@y"}, MessageInfo: validText()}, `{"userIDs":["b@y"],"messageInfo":{"senderID":"a@x","recvID":"b@y","messageType":"text","version":"v1","type":1,"messageID":"m1@x","fileID":"","content":{"message":"hi"}}}`},
		{"GroupChatHistoryResponse", &GroupChatHistoryResponse{NewestMessageID: "m1@x", Messages: []MessageInfo{}}, `{"code":0,"error":"","newestMessageID":"m1@x","messages":[]}`},
		{"UpdateGroupInfoRequest", &UpdateGroupInfoRequest{OwnerID: "u@abc", GSet: gset, GroupInfo: &group}, `{"ownerID":"u@abc","gset":{"isAllow":1,"isVisible":2},"groupInfo":{"groupID":"g1@abc","groupName":"G","groupIcon":"i","groupMemberNum":3,"createUser":"u@abc","createTime":1700000000000}}`},
		{"UpdateGroupInfoRequest settings only", &UpdateGroupInfoRequest{OwnerID: "u@abc", GSet: gset}, `{"ownerID":"u@abc","gset":{"isAllow":1,"isVisible":2}}`},
		{"GroupNotifyRequest", &GroupNotifyRequest{OperType: OperInfoChanged, OperUser: UserInfo{UserID: "u@abc"}, GrpSet: gset, Users: []UserInfo{}}, `{"operType":7,"operUser":{"phoneNumber":"","remark":"","name":"","portrait":"","userID":"u@abc"},"grpset":{"isAllow":1,"isVisible":2},"users":[]}`},
		{"GroupInfoResponse", &GroupInfoResponse{GSet: *gset, GroupInfo: group}, `{"code":0,"error":"","gset":{"isAllow":1,"isVisible":2},"groupInfo":{"groupID":"g1@abc","groupName":"G","groupIcon":"i","groupMemberNum":3,"createUser":"u@abc","createTime":1700000000000}}`},
		{"GroupMembersResponse", &GroupMembersResponse{Members: []GroupMember{{UserType: MemberOwner, UserInfo: UserInfo{UserID: "u@abc"}}}}, `{"code":0,"error":"","members":[{"userType":3,"userInfo":{"phoneNumber":"","remark":"","name":"","portrait":"","userID":"u@abc"}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := json.Marshal(tc.v)
			if err != nil || string(out) != tc.want {
				t.Fatalf("got  %s %v\nwant %s", out, err, tc.want)
			}
			back := reflect.New(reflect.TypeOf(tc.v).Elem())
			if err := json.Unmarshal(out, back.Interface()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Interface(), tc.v) {
				t.Errorf("round trip: got %+v\nwant %+v", back.Interface(), tc.v)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestNilListsEmitEmpty(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{FindUsersResponse{}, `{"code":0,"error":"","users":[]}`},
		{GroupChatHistoryResponse{}, `{"code":0,"error":"","newestMessageID":"","messages":[]}`},
		{GroupMembersResponse{}, `{"code":0,"error":"","members":[]}`},
		{GroupNotifyRequest{}, `{"operType":0,"operUser":{"phoneNumber":"","remark":"","name":"","portrait":"","userID":""},"users":[]}`},
	} {
		if out, _ := json.Marshal(tc.v); string(out) != tc.want {
			t.Errorf("%T: got %s, want %s", tc.v, out, tc.want)
		}
	}
}

// TestDecodeLenient feeds each type the spellings other vendors copied from
// the draft and checks the clean value handlers see.
func TestDecodeLenient(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		into any
		want any
	}{
		{"code as string", `{"code":"1","error":"no","users":null}`, &FindUsersResponse{}, &FindUsersResponse{Envelope: Envelope{Code: 1, Error: "no"}}},
		{"code empty string", `{"code":"","error":""}`, &Envelope{}, &Envelope{}},
		{"verifyType as string", `{"code":0,"verifyType":"1"}`, &VerifyUserResponse{}, &VerifyUserResponse{VerifyType: 1}},
		{"isFriend as string, spaced key", `{"isFriend ":"2"}`, &IsFriendResponse{}, &IsFriendResponse{IsFriend: 2}},
		{"phone number as number", `{"userInfo":{"phoneNumber":13500001111,"userID":"13500001111@abc","updateTime":"1700000000000"}}`, &UserResponse{},
			&UserResponse{UserInfo: UserInfo{PhoneNumber: "13500001111", UserID: "13500001111@abc", UpdateTime: 1700000000000}}},
		{"isAgree as string, case", `{"UserID":"b@y","isagree":"1","OwnerId":"u@abc","userInfo":{}}`, &RespondFriendRequest{},
			&RespondFriendRequest{UserID: "b@y", IsAgree: 1, OwnerID: "u@abc"}},
		{"ids trimmed, not other strings", `{"userID":" b@y ","ownerID":"u@abc\n","remark":" hi "}`, &AddFriendRequest{}, &AddFriendRequest{UserID: "b@y", OwnerID: "u@abc", Remark: " hi "}},
		{"id lists trimmed", `{"userIDs":[" b@y"],"messageInfo":{"senderID":" a@x ","messageType":"text","content":{"message":" hi "}}}`, &NotifyGroupChatRequest{},
			&NotifyGroupChatRequest{UserIDs: []string{"b@y"}, MessageInfo: MessageInfo{SenderID: "a@x", MessageType: "text", Content: &TextContent{Message: " hi "}}}},
		{"deleteMembers", `{"ownerID":"u@abc","deleteMembers":["b@y"]}`, &RemoveMembersRequest{}, &RemoveMembersRequest{OwnerID: "u@abc", Members: []string{"b@y"}}},
		{"delateMembers", `{"ownerID":"u@abc","delateMembers":["b@y"]}`, &RemoveMembersRequest{}, &RemoveMembersRequest{OwnerID: "u@abc", Members: []string{"b@y"}}},
		{"respResult string", `{"ownerID":"b@y","respResult":"2"}`, &InviteReply{}, &InviteReply{OwnerID: "b@y", RespResult: 2}},
		{"grpset in G9", `{"ownerID":"u@abc","grpset":{"isAllow":"1","isVisible":"2"}}`, &UpdateGroupInfoRequest{},
			&UpdateGroupInfoRequest{OwnerID: "u@abc", GSet: &GroupSettings{IsAllow: 1, IsVisible: 2}}},
		{"gset in G10, operType string", `{"operType":"7","operUser":{"userID":"u@abc"},"gset":{"isAllow":2,"isVisible":1}}`, &GroupNotifyRequest{},
			&GroupNotifyRequest{OperType: 7, OperUser: UserInfo{UserID: "u@abc"}, GrpSet: &GroupSettings{IsAllow: 2, IsVisible: 1}}},
		{"G11 without envelope, numbers as strings", `{"gset":{"isAllow":"1","isVisible":"1"},"groupInfo":{"groupID":"g@abc","groupMemberNum":"12","createTime":"1700000000000"}}`, &GroupInfoResponse{},
			&GroupInfoResponse{GSet: GroupSettings{IsAllow: 1, IsVisible: 1}, GroupInfo: GroupInfo{GroupID: "g@abc", GroupMemberNum: 12, CreateTime: 1700000000000}}},
		{"userType string", `{"members":[{"userType":"2","userInfo":{"userID":"u@abc"}}]}`, &GroupMembersResponse{},
			&GroupMembersResponse{Members: []GroupMember{{UserType: 2, UserInfo: UserInfo{UserID: "u@abc"}}}}},
		{"history with source messagetype", `{"code":0,"newestMessageID":"m2@x","messages":[{"messagetype":"Text","content":{"message":"hi"}}]}`, &GroupChatHistoryResponse{},
			&GroupChatHistoryResponse{NewestMessageID: "m2@x", Messages: []MessageInfo{{MessageType: "text", Content: &TextContent{Message: "hi"}}}}},
		{"invite with userInfo", `{"userID":"u@abc","reqInfo":{"groupInfo":{"groupID":"g@abc"},"userInfo":{"userID":"u@abc"},"inviteUsers":["b@y"]}}`, &InviteRequest{},
			&InviteRequest{UserID: "u@abc", ReqInfo: InviteInfo{GroupInfo: GroupInfo{GroupID: "g@abc"}, UserInfo: &UserInfo{UserID: "u@abc"}, InviteUsers: []string{"b@y"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := json.Unmarshal([]byte(tc.in), tc.into); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tc.into, tc.want) {
				t.Errorf("got  %+v\nwant %+v", tc.into, tc.want)
			}
		})
	}
}

func TestDecodeRefusals(t *testing.T) {
	for _, tc := range []struct {
		in   string
		into any
		want string
	}{
		{`{"delateMembers":["a@b"],"deleteMembers":["c@d"]}`, &RemoveMembersRequest{}, `delateMembers: sent twice (as "delateMembers" and "deleteMembers"): send each field once`},
		{`{"gset":{},"grpset":{}}`, &UpdateGroupInfoRequest{}, `gset: sent twice (as "gset" and "grpset"): send each field once`},
		{`{"code":true}`, &IsFriendResponse{}, `code: want an integer, got boolean`},
		{`{"code":true}`, &Envelope{}, `want an integer, got boolean`},
		{`{"users":[{"userID":{}}]}`, &FindUsersResponse{}, `users[0].userID: want a string or number, got object`},
		{`{"members":[{"userType":"owner"}]}`, &GroupMembersResponse{}, `members[0].userType: want an integer, got "owner"`},
		{`{"userIDs":"a@b"}`, &NotifyGroupChatRequest{}, `userIDs: want an array, got string`},
		{`{"reqInfo":{"inviteUsers":[["a@b"]]}}`, &InviteRequest{}, `reqInfo.inviteUsers[0]: want a string or number, got array`},
	} {
		before := reflect.New(reflect.TypeOf(tc.into).Elem()).Interface()
		err := json.Unmarshal([]byte(tc.in), tc.into)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n err = %v\nwant %s", tc.in, err, tc.want)
		}
		if !reflect.DeepEqual(tc.into, before) {
			t.Errorf("%s: value changed on error: %+v", tc.in, tc.into)
		}
	}
}

func TestRequestValidate(t *testing.T) {
	gset := &GroupSettings{IsAllow: 1, IsVisible: 2}
	for _, tc := range []struct {
		name string
		req  interface{ Validate() error }
		want string
	}{
		{"add ok", &AddFriendRequest{UserID: "b@y", OwnerID: "u@abc"}, ""},
		{"add no target", &AddFriendRequest{OwnerID: "u@abc"}, "userID: required"},
		{"add no owner", &AddFriendRequest{UserID: "b@y"}, "ownerID: required"},
		{"add someone else's info", &AddFriendRequest{UserID: "b@y", OwnerID: "u@abc", UserInfo: UserInfo{UserID: "x@abc"}}, `userInfo.userID: "x@abc" is not the caller "u@abc"`},
		{"rsp ok", &RespondFriendRequest{UserID: "b@y", IsAgree: No, OwnerID: "u@abc"}, ""},
		{"rsp isAgree missing", &RespondFriendRequest{UserID: "b@y", OwnerID: "u@abc"}, "isAgree: want 1 (agree) or 2 (refuse), got 0"},
		{"del ok", &DelFriendRequest{UserID: "b@y", OwnerID: "u@abc"}, ""},
		{"del bad owner", &DelFriendRequest{UserID: "b@y", OwnerID: "u@a.b"}, `ownerID: id "u@a.b": want host:port after '@' (port required; IPv6 in brackets): address a.b: missing port in address`},
		{"invite ok", &InviteRequest{UserID: "u@abc", ReqInfo: InviteInfo{GroupInfo: GroupInfo{GroupID: "g@abc"}, InviteUsers: []string{"b@y"}}}, ""},
		{"invite no group", &InviteRequest{UserID: "u@abc", ReqInfo: InviteInfo{InviteUsers: []string{"b@y"}}}, "reqInfo.groupInfo.groupID: required"},
		{"invite nobody", &InviteRequest{UserID: "u@abc", ReqInfo: InviteInfo{GroupInfo: GroupInfo{GroupID: "g@abc"}}}, "reqInfo.inviteUsers: required: at least one id"},
		{"invite bad invitee", &InviteRequest{UserID: "u@abc", ReqInfo: InviteInfo{GroupInfo: GroupInfo{GroupID: "g@abc"}, InviteUsers: []string{"b@y", ""}}}, "reqInfo.inviteUsers[1]: required"},
		{"invite other inviter", &InviteRequest{UserID: "u@abc", ReqInfo: InviteInfo{GroupInfo: GroupInfo{GroupID: "g@abc"}, UserInfo: &UserInfo{UserID: "v@abc"}, InviteUsers: []string{"b@y"}}}, `reqInfo.userInfo.userID: "v@abc" is not the caller "u@abc"`},
		{"reply ok", &InviteReply{OwnerID: "b@y", RespResult: 2}, ""},
		{"reply bad", &InviteReply{OwnerID: "b@y", RespResult: 3}, "respResult: want 1 (agree) or 2 (refuse), got 3"},
		{"remove ok", &RemoveMembersRequest{OwnerID: "u@abc", Members: []string{"b@y"}}, ""},
		{"remove none", &RemoveMembersRequest{OwnerID: "u@abc"}, "delateMembers: required: at least one id"},
		{"quit ok", &QuitRequest{OwnerID: "b@y"}, ""},
		{"quit none", &QuitRequest{}, "ownerID: required"},
		{"grpchat ok", &NotifyGroupChatRequest{UserIDs: []string{"b@y"}, MessageInfo: validText()}, ""},
		{"grpchat nobody", &NotifyGroupChatRequest{MessageInfo: validText()}, "userIDs: required: at least one id"},
		{"grpchat bad message", &NotifyGroupChatRequest{UserIDs: []string{"b@y"}}, "messageInfo.senderID: required"},
		{"update ok", &UpdateGroupInfoRequest{OwnerID: "u@abc", GSet: gset}, ""},
		{"update info without id ok", &UpdateGroupInfoRequest{OwnerID: "u@abc", GroupInfo: &GroupInfo{GroupName: "new"}}, ""},
		{"update nothing", &UpdateGroupInfoRequest{OwnerID: "u@abc"}, "gset: required: send gset, groupInfo or both"},
		{"update bad gset", &UpdateGroupInfoRequest{OwnerID: "u@abc", GSet: &GroupSettings{IsAllow: 1}}, "gset.isVisible: want 1 (searchable) or 2 (hidden), got 0"},
		{"update bad group creator", &UpdateGroupInfoRequest{OwnerID: "u@abc", GroupInfo: &GroupInfo{GroupID: "g@abc", CreateUser: "x"}}, `groupInfo.createUser: id "x" has no '@': write local@serverId or local@host:port`},
		{"notify ok", &GroupNotifyRequest{OperType: 1, OperUser: UserInfo{UserID: "u@abc"}, Users: []UserInfo{{UserID: "b@y"}}}, ""},
		{"notify operType", &GroupNotifyRequest{OperType: 8, OperUser: UserInfo{UserID: "u@abc"}}, "operType: want 1 to 7, got 8"},
		{"notify no operUser", &GroupNotifyRequest{OperType: 3}, "operUser.userID: required"},
		{"notify bad grpset", &GroupNotifyRequest{OperType: 7, OperUser: UserInfo{UserID: "u@abc"}, GrpSet: &GroupSettings{IsAllow: 0, IsVisible: 1}}, "grpset.isAllow: want 1 (members may invite) or 2 (they may not), got 0"},
		{"notify bad user", &GroupNotifyRequest{OperType: 2, OperUser: UserInfo{UserID: "u@abc"}, Users: []UserInfo{{UserID: "b@y"}, {}}}, "users[1].userID: required"},
		{"notify negative time", &GroupNotifyRequest{OperType: 2, OperUser: UserInfo{UserID: "u@abc", UpdateTime: -1}}, "operUser.updateTime: want milliseconds since 1970, got a negative number"},
	} {
		t.Run(tc.name, func(t *testing.T) { checkErr(t, tc.req.Validate(), tc.want) })
	}
}

func TestRequireID(t *testing.T) {
	checkErr(t, RequireID("groupID", "g@abc"), "")
	checkErr(t, RequireID("groupID", ""), "groupID: required")
	checkErr(t, RequireID("fileID", "..@abc"), `fileID: id "..@abc": local part starts with '.'`)
}

func TestEnvelope(t *testing.T) {
	if !OK().Succeeded() || Fail("x", "y").Succeeded() {
		t.Error("Succeeded is wrong")
	}
	var e Envelope
	if err := json.Unmarshal([]byte(`{"code":"1","error":"no such user"}`), &e); err != nil || e != (Envelope{Code: CodeFail, Error: "no such user"}) {
		t.Errorf("bare envelope: %+v, %v", e, err)
	}
}

// TestEmbeddingEnvelope: a type of another package that embeds Envelope
// without an UnmarshalJSON of its own still gets all its fields.
func TestEmbeddingEnvelope(t *testing.T) {
	var r struct {
		Envelope
		Extra string `json:"extra"`
	}
	if err := json.Unmarshal([]byte(`{"code":"0","extra":"kept"}`), &r); err != nil || r.Extra != "kept" || !r.Succeeded() {
		t.Errorf("got %+v, %v", r, err)
	}
}

package wire

import (
	"testing"

	"github.com/imictl/imictl/internal/jsonfuzz"
)

// wireTypes are the message bodies a peer sends (requests) or answers
// (responses), each with seeds; FuzzWireTypes decodes input as one of them,
// picked by the fuzzer. (ChatRequest has FuzzMessageInfo of its own.)
var wireTypes = []jsonfuzz.Type{
	{Name: "UserInfo", New: func() any { return new(UserInfo) }, Seeds: []string{`{"userID":"a@x","name":"A","phoneNumber":"1","portrait":"","remark":""}`}},
	{Name: "FindUsersResponse", New: func() any { return new(FindUsersResponse) }, Seeds: []string{`{"code":0,"error":"","users":[{"userID":"a@x","name":"A"}]}`, `{"users":null}`}},
	{Name: "VerifyUserResponse", New: func() any { return new(VerifyUserResponse) }, Seeds: []string{`{"code":0,"verifyType":"2"}`}},
	{Name: "AddFriendRequest", New: func() any { return new(AddFriendRequest) }, Seeds: []string{`{"userID":"b@y","remark":"hi","ownerID":"a@x","userInfo":{"userID":"a@x","name":"A"}}`}},
	{Name: "RespondFriendRequest", New: func() any { return new(RespondFriendRequest) }, Seeds: []string{`{"userID":"b@y","isAgree":1,"ownerID":"a@x","userInfo":{"userID":"a@x","name":"A"}}`, `{"isAgree":"2"}`}},
	{Name: "DelFriendRequest", New: func() any { return new(DelFriendRequest) }, Seeds: []string{`{"userID":"b@y","ownerID":"a@x"}`}},
	{Name: "UserResponse", New: func() any { return new(UserResponse) }, Seeds: []string{`{"code":0,"userInfo":{"userID":"a@x","name":"A"}}`}},
	{Name: "IsFriendResponse", New: func() any { return new(IsFriendResponse) }, Seeds: []string{`{"code":0,"isFriend":1}`}},
	{Name: "GroupInfo", New: func() any { return new(GroupInfo) }, Seeds: []string{`{"groupID":"g@x","groupName":"G","ownerID":"a@x","members":["a@x","b@y"]}`}},
	{Name: "GroupSettings", New: func() any { return new(GroupSettings) }, Seeds: []string{`{"isAllow":1}`}},
	{Name: "InviteRequest", New: func() any { return new(InviteRequest) }, Seeds: []string{`{"groupID":"g@x","inviter":"a@x","invitees":["b@y"]}`}},
	{Name: "InviteReply", New: func() any { return new(InviteReply) }, Seeds: []string{`{"groupID":"g@x","userID":"b@y","isAgree":1}`}},
	{Name: "RemoveMembersRequest", New: func() any { return new(RemoveMembersRequest) }, Seeds: []string{`{"groupID":"g@x","ownerID":"a@x","members":["b@y"]}`}},
	{Name: "QuitRequest", New: func() any { return new(QuitRequest) }, Seeds: []string{`{"groupID":"g@x","ownerID":"b@y"}`}},
	{Name: "NotifyGroupChatRequest", New: func() any { return new(NotifyGroupChatRequest) }, Seeds: []string{`{"groupID":"g@x","messageInfo":{"senderID":"a@x","recvID":"g@x","type":2,"messageType":"text","messageID":"m@x","content":{"message":"hi"}}}`}},
	{Name: "GroupChatHistoryResponse", New: func() any { return new(GroupChatHistoryResponse) }, Seeds: []string{`{"code":0,"messages":[]}`}},
	{Name: "UpdateGroupInfoRequest", New: func() any { return new(UpdateGroupInfoRequest) }, Seeds: []string{`{"groupID":"g@x","ownerID":"a@x","groupName":"H"}`}},
	{Name: "GroupNotifyRequest", New: func() any { return new(GroupNotifyRequest) }, Seeds: []string{`{"groupID":"g@x","type":1}`}},
	{Name: "Envelope", New: func() any { return new(Envelope) }, Seeds: []string{`{"code":0,"error":""}`, `{"code":"1","error":"x","reason":"bad_request"}`}},
}

// FuzzWireTypes: jsonfuzz.RoundTrip over every type of wireTypes.
func FuzzWireTypes(f *testing.F) { jsonfuzz.Fuzz(f, wireTypes) }

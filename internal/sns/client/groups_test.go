package client_test

import (
	"context"
	"testing"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Every group method sends the path, query and body of the standard, in
// its spelling, and reads the answer leniently.
func TestGroupMethods(t *testing.T) {
	ctx := context.Background()
	const g = "g1@beta-im"
	const q = "groupID=g1%40beta-im"
	msg := wire.MessageInfo{SenderID: "u1@alpha-im", RecvID: g, MessageType: wire.MessageText, Version: wire.Version1, Type: wire.ChatGroup,
		MessageID: "m1@alpha-im", Content: &wire.TextContent{Message: "hi"}}
	const msgJSON = `{"senderID":"u1@alpha-im","recvID":"g1@beta-im","messageType":"text","version":"v1","type":2,"messageID":"m1@alpha-im","fileID":"","content":{"message":"hi"}}`
	ok := `{"code":0,"error":""}`
	tests := []callCase{
		{"G1 invite", ok, func(c *client.Client, p client.Peer) (any, error) {
			return nil, c.InviteGroup(ctx, p, wire.InviteRequest{UserID: "u1@alpha-im", ReqInfo: wire.InviteInfo{GroupInfo: wire.GroupInfo{GroupID: g, GroupName: "G"}, InviteUsers: []string{"u2@beta-im"}}})
		}, "POST", "/sns/invite/grpreq", "",
			`{"userID":"u1@alpha-im","reqInfo":{"groupInfo":{"groupID":"g1@beta-im","groupName":"G","groupIcon":"","groupMemberNum":0,"createUser":"","createTime":0},"inviteUsers":["u2@beta-im"]}}`, nil},
		{"G2 answer", ok, func(c *client.Client, p client.Peer) (any, error) {
			return nil, c.AnswerGroupInvite(ctx, p, g, wire.InviteReply{OwnerID: "u1@alpha-im", RespResult: wire.Yes})
		}, "POST", "/sns/invite/grprep", q, `{"ownerID":"u1@alpha-im","respResult":1}`, nil},
		{"G3 remove", ok, func(c *client.Client, p client.Peer) (any, error) {
			return nil, c.RemoveGroupMembers(ctx, p, g, wire.RemoveMembersRequest{OwnerID: "u1@alpha-im", Members: []string{"u2@beta-im"}})
		}, "POST", "/sns/remove/grpmembers", q, `{"ownerID":"u1@alpha-im","delateMembers":["u2@beta-im"]}`, nil},
		{"G4 quit", ok, func(c *client.Client, p client.Peer) (any, error) {
			return nil, c.QuitGroup(ctx, p, g, wire.QuitRequest{OwnerID: "u1@alpha-im"})
		}, "POST", "/sns/quit/grpmember", q, `{"ownerID":"u1@alpha-im"}`, nil},
		{"G7 notify chat", ok, func(c *client.Client, p client.Peer) (any, error) {
			return nil, c.NotifyGroupChat(ctx, p, g, wire.NotifyGroupChatRequest{UserIDs: []string{"u2@beta-im"}, MessageInfo: msg})
		}, "POST", "/sns/notify/grpchat", q, `{"userIDs":["u2@beta-im"],"messageInfo":` + msgJSON + `}`, nil},
		{"G8 history", `{"code":"0","error":"","newestMessageID":"m1@alpha-im","messages":[` + msgJSON + `]}`, func(c *client.Client, p client.Peer) (any, error) {
			r, err := c.GroupChat(ctx, p, g, "m0@alpha-im")
			return r.NewestMessageID + " " + r.Messages[0].MessageID, err
		}, "GET", "/sns/grpchat", q + "&messageID=m0%40alpha-im", "", "m1@alpha-im m1@alpha-im"},
		{"G8 from the oldest, no messages", `{"code":0,"error":"","newestMessageID":""}`, func(c *client.Client, p client.Peer) (any, error) {
			r, err := c.GroupChat(ctx, p, g, "")
			return r.Messages, err
		}, "GET", "/sns/grpchat", q + "&messageID=", "", []wire.MessageInfo{}},
		{"G9 update", ok, func(c *client.Client, p client.Peer) (any, error) {
			return nil, c.UpdateGroup(ctx, p, g, wire.UpdateGroupInfoRequest{OwnerID: "u1@alpha-im", GSet: &wire.GroupSettings{IsAllow: 1, IsVisible: 2}})
		}, "POST", "/sns/update/grpinfo", q, `{"ownerID":"u1@alpha-im","gset":{"isAllow":1,"isVisible":2}}`, nil},
		{"G10 notify", ok, func(c *client.Client, p client.Peer) (any, error) {
			return nil, c.NotifyGroup(ctx, p, g, wire.GroupNotifyRequest{OperType: wire.OperDissolve, OperUser: wire.UserInfo{UserID: "u1@alpha-im"}})
		}, "POST", "/sns/notify/grpnotify", q, `{"operType":3,"operUser":{"phoneNumber":"","remark":"","name":"","portrait":"","userID":"u1@alpha-im"},"users":[]}`, nil},
		{"G11 info", `{"code":0,"error":"","gset":{"isAllow":"1","isVisible":"2"},"groupInfo":{"groupID":"g1@beta-im","groupMemberNum":"2"}}`, func(c *client.Client, p client.Peer) (any, error) {
			r, err := c.GroupInfo(ctx, p, g, "u1@alpha-im")
			return r.GSet, err
		}, "GET", "/sns/grpinfo", q + "&userID=u1%40alpha-im", "", wire.GroupSettings{IsAllow: 1, IsVisible: 2}},
		{"G12 members", `{"code":0,"error":"","members":[{"userType":"3","userInfo":{"userID":"u1@alpha-im"}}]}`, func(c *client.Client, p client.Peer) (any, error) {
			return c.GroupMembers(ctx, p, g, "u1@alpha-im")
		}, "GET", "/sns/grpmembers", q + "&userID=u1%40alpha-im", "", []wire.GroupMember{{UserType: 3, UserInfo: wire.UserInfo{UserID: "u1@alpha-im"}}}},
	}
	runCalls(t, tests)
}

// A group method with a bad group or user id sends nothing.
func TestGroupRequestsInvalidNotSent(t *testing.T) {
	w := newWorld(t, answer(200, `{"code":0}`))
	ctx := context.Background()
	p := w.betaPeer()
	_, err8 := w.client.GroupChat(ctx, p, "g1@beta-im", "../x")
	_, err11 := w.client.GroupInfo(ctx, p, "", "u1@alpha-im")
	_, err12 := w.client.GroupMembers(ctx, p, "g1@beta-im", "nobody")
	for i, err := range []error{
		w.client.AnswerGroupInvite(ctx, p, "no group", wire.InviteReply{OwnerID: "u1@alpha-im", RespResult: 1}),
		w.client.AnswerGroupInvite(ctx, p, "g1@beta-im", wire.InviteReply{OwnerID: "u1@alpha-im", RespResult: 3}),
		w.client.RemoveGroupMembers(ctx, p, "g1@beta-im", wire.RemoveMembersRequest{OwnerID: "u1@alpha-im"}),
		w.client.NotifyGroup(ctx, p, "g1@beta-im", wire.GroupNotifyRequest{OperType: 9, OperUser: wire.UserInfo{UserID: "u1@alpha-im"}}),
		err8, err11, err12,
	} {
		if err == nil {
			t.Errorf("call %d: sent", i)
		}
	}
	if n := len(w.peer.Requests()); n != 0 {
		t.Fatalf("%d requests reached the peer", n)
	}
}

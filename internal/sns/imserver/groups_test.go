package imserver

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// groupSetup is alpha holding group g (members may not invite) with
// alice (owner), amy and greg@gamma-im, and group g2, dissolved; beta
// with bob routed to group f1@main-im; gamma and main-im are callers.
type groupSetup struct {
	alpha, beta *testServer
	gamma, fake *caller
	g, g2       string
	fakeGroup   string
}

func newGroupSetup(t *testing.T) *groupSetup {
	w := newWorld(t)
	gs := &groupSetup{alpha: w.server(t, "alpha-im"), beta: w.server(t, "beta-im"), fakeGroup: "f1@main-im"}
	gs.gamma = w.caller(t, "gamma-im", httpsig.StatusNormal, true)
	gs.fake = w.caller(t, "main-im", httpsig.StatusNormal, true)
	for _, u := range []string{"alice", "amy"} {
		gs.alpha.addUser(t, imstore.User{UserID: u, Name: u})
	}
	for _, u := range []string{"bob", "bea"} {
		gs.beta.addUser(t, imstore.User{UserID: u, Name: u})
	}
	for i, gid := range []*string{&gs.g, &gs.g2} {
		v, err := gs.alpha.CreateGroup(adminapi.NewGroup{User: "alice", Name: fmt.Sprint("G", i), IsAllow: wire.No})
		if err != nil {
			t.Fatal(err)
		}
		*gid = v.GroupInfo.GroupID
		add := []imstore.GroupMember{{UserID: "amy@alpha-im"}, {UserID: "greg@gamma-im"}}
		if _, err := gs.alpha.st.ChangeGroup(imstore.GroupChange{GroupID: *gid, Add: add}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := gs.alpha.st.ChangeGroup(imstore.GroupChange{GroupID: gs.g2, Update: func(g *imstore.Group) error { g.Dissolved = true; return nil }}); err != nil {
		t.Fatal(err)
	}
	if err := gs.beta.st.AddGroupRoutes(gs.fakeGroup, "main-im", "F", "beta-im", []string{"bob"}); err != nil {
		t.Fatal(err)
	}
	return gs
}

// state is everything a refused group call could have changed.
func (gs *groupSetup) state(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, gid := range []string{gs.g, gs.g2} {
		g, err := gs.alpha.st.GetGroup(gid)
		if err != nil {
			t.Fatal(err)
		}
		members, err := gs.alpha.st.GroupMembers(gid)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %q owner=%s allow=%d visible=%d n=%d dissolved=%v:", gid, g.Name, g.Owner, g.IsAllow, g.IsVisible, g.Members, g.Dissolved)
		for _, m := range members {
			fmt.Fprintf(&b, " %s/%d", m.UserID, m.Role)
		}
		msgs, _, err := gs.alpha.st.GroupMessages(gid, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, " messages=%d\n", len(msgs))
	}
	for _, st := range []*imstore.Store{gs.alpha.st, gs.beta.st} {
		items, err := st.ListOutbox(imstore.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "outbox=%d\n", len(items))
	}
	for _, id := range []string{"x@gamma-im", "bea@beta-im"} {
		invs, _ := gs.alpha.st.Invitations(id)
		binvs, _ := gs.beta.st.Invitations(id)
		fmt.Fprintf(&b, "invitations of %s: %d %d\n", id, len(invs), len(binvs))
	}
	for _, u := range []string{"bob", "bea"} {
		in, err := gs.beta.st.Inbox(u, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		routes, _ := gs.beta.st.GroupRoutesOf(u)
		fmt.Fprintf(&b, "%s: inbox=%d routes=%d\n", u, len(in), len(routes))
	}
	return b.String()
}

func groupText(sender, group, id string) wire.MessageInfo {
	return wire.MessageInfo{SenderID: sender, RecvID: group, MessageType: wire.MessageText, Version: wire.Version1, Type: wire.ChatGroup,
		MessageID: id, Content: &wire.TextContent{Message: "hi"}}
}

// Every rule the main group's server (and a server with members) enforces
// refuses with its own status and reason, and changes nothing.
func TestGroupRules(t *testing.T) {
	ctx := context.Background()
	gs := newGroupSetup(t)
	alpha, beta := gs.alpha.peer(), gs.beta.peer()
	gc, fc := gs.gamma.client, gs.fake.client
	invite := func(inviter string, gid string) wire.InviteRequest {
		return wire.InviteRequest{UserID: inviter, ReqInfo: wire.InviteInfo{GroupInfo: wire.GroupInfo{GroupID: gid, GroupName: "G"}, InviteUsers: []string{"x@gamma-im"}}}
	}
	before := gs.state(t)
	for _, tc := range []struct {
		name   string
		call   func() error
		status int
		reason string
	}{
		{"G1 by a plain member when isAllow is 2", func() error { return gc.InviteGroup(ctx, alpha, invite("greg@gamma-im", gs.g)) }, 403, ReasonInviteNotAllowed},
		{"G1 by a non-member", func() error { return gc.InviteGroup(ctx, alpha, invite("zed@gamma-im", gs.g)) }, 403, ReasonNotMember},
		{"G1 for a user of another server", func() error { return gc.InviteGroup(ctx, alpha, invite("alice@alpha-im", gs.g)) }, 403, ReasonWrongSender},
		{"G1 into a dissolved group", func() error { return gc.InviteGroup(ctx, alpha, invite("greg@gamma-im", gs.g2)) }, 410, ReasonGroupDissolved},
		{"G1 for a group of a server other than the caller", func() error { return gc.InviteGroup(ctx, beta, invite("greg@gamma-im", gs.fakeGroup)) }, 403, ReasonNotMainServer},
		{"G2 without invitation, group not searchable", func() error {
			return gc.AnswerGroupInvite(ctx, alpha, gs.g, wire.InviteReply{OwnerID: "x@gamma-im", RespResult: wire.Yes})
		}, 403, ReasonNotInvited},
		{"G2 for a user of another server", func() error {
			return gc.AnswerGroupInvite(ctx, alpha, gs.g, wire.InviteReply{OwnerID: "bea@beta-im", RespResult: wire.Yes})
		}, 403, ReasonWrongSender},
		{"G2 to a dissolved group", func() error {
			return gc.AnswerGroupInvite(ctx, alpha, gs.g2, wire.InviteReply{OwnerID: "x@gamma-im", RespResult: wire.Yes})
		}, 410, ReasonGroupDissolved},
		{"G2 to no such group", func() error {
			return gc.AnswerGroupInvite(ctx, alpha, "nope@alpha-im", wire.InviteReply{OwnerID: "x@gamma-im", RespResult: wire.Yes})
		}, 404, ReasonUnknownGroup},
		{"G2 to a group of another server", func() error {
			return gc.AnswerGroupInvite(ctx, alpha, "g9@beta-im", wire.InviteReply{OwnerID: "x@gamma-im", RespResult: wire.Yes})
		}, 400, ReasonNotLocal},
		{"G3 by a member who is not the owner", func() error {
			return gc.RemoveGroupMembers(ctx, alpha, gs.g, wire.RemoveMembersRequest{OwnerID: "greg@gamma-im", Members: []string{"amy@alpha-im"}})
		}, 403, ReasonNotOwner},
		{"G3 spelled deleteMembers, by a member who is not the owner", func() error {
			_, err := gc.Call(ctx, alpha, http.MethodPost, "remove/grpmembers?groupID="+gs.g, []byte(`{"ownerID":"greg@gamma-im","deleteMembers":["amy@alpha-im"]}`))
			return err
		}, 403, ReasonNotOwner},
		{"G4 for a user of another server", func() error { return gc.QuitGroup(ctx, alpha, gs.g, wire.QuitRequest{OwnerID: "amy@alpha-im"}) }, 403, ReasonWrongSender},
		{"G4 by a non-member", func() error { return gc.QuitGroup(ctx, alpha, gs.g, wire.QuitRequest{OwnerID: "zed@gamma-im"}) }, 403, ReasonNotMember},
		{"G9 by a plain member", func() error {
			return gc.UpdateGroup(ctx, alpha, gs.g, wire.UpdateGroupInfoRequest{OwnerID: "greg@gamma-im", GSet: &wire.GroupSettings{IsAllow: 1, IsVisible: 1}})
		}, 403, ReasonNotAdmin},
		{"G9 to a dissolved group", func() error {
			return gc.UpdateGroup(ctx, alpha, gs.g2, wire.UpdateGroupInfoRequest{OwnerID: "greg@gamma-im", GSet: &wire.GroupSettings{IsAllow: 1, IsVisible: 1}})
		}, 410, ReasonGroupDissolved},
		{"G11 for a non-member", func() error { _, err := gc.GroupInfo(ctx, alpha, gs.g, "zed@gamma-im"); return err }, 403, ReasonNotMember},
		{"G12 for a user of another server", func() error { _, err := gc.GroupMembers(ctx, alpha, gs.g, "alice@alpha-im"); return err }, 403, ReasonWrongSender},
		{"G8 from a server without members", func() error { _, err := fc.GroupChat(ctx, alpha, gs.g, ""); return err }, 403, ReasonNotMember},
		{"S1 type 2 from a non-member", func() error {
			return gc.Chat(ctx, alpha, wire.ChatRequest{MessageInfo: groupText("zed@gamma-im", gs.g, "m1@gamma-im")})
		}, 403, ReasonNotMember},
		{"S1 type 2 for a sender of another server", func() error {
			return gc.Chat(ctx, alpha, wire.ChatRequest{MessageInfo: groupText("amy@alpha-im", gs.g, "m1@gamma-im")})
		}, 403, ReasonWrongSender},
		{"S1 type 2 to a dissolved group", func() error {
			return gc.Chat(ctx, alpha, wire.ChatRequest{MessageInfo: groupText("greg@gamma-im", gs.g2, "m1@gamma-im")})
		}, 410, ReasonGroupDissolved},
		{"G7 not from the group's main server", func() error {
			return gc.NotifyGroupChat(ctx, beta, gs.fakeGroup, wire.NotifyGroupChatRequest{UserIDs: []string{"bob@beta-im"}, MessageInfo: groupText("m@main-im", gs.fakeGroup, "m1@main-im")})
		}, 403, ReasonNotMainServer},
		{"G7 naming a user of another server", func() error {
			return fc.NotifyGroupChat(ctx, beta, gs.fakeGroup, wire.NotifyGroupChatRequest{UserIDs: []string{"carl@gamma-im"}, MessageInfo: groupText("m@main-im", gs.fakeGroup, "m1@main-im")})
		}, 403, ReasonNotHosted},
		{"G7 naming a local user who is not a member", func() error {
			return fc.NotifyGroupChat(ctx, beta, gs.fakeGroup, wire.NotifyGroupChatRequest{UserIDs: []string{"bob@beta-im", "bea@beta-im"}, MessageInfo: groupText("m@main-im", gs.fakeGroup, "m1@main-im")})
		}, 403, ReasonNotHosted},
		{"G10 not from the group's main server", func() error {
			return gc.NotifyGroup(ctx, beta, gs.fakeGroup, wire.GroupNotifyRequest{OperType: wire.OperDissolve, OperUser: wire.UserInfo{UserID: "m@main-im"}})
		}, 403, ReasonNotMainServer},
	} {
		apiErr(t, tc.name, tc.call(), tc.status, tc.reason)
		if after := gs.state(t); after != before {
			t.Errorf("%s changed the state:\n%s\nwas\n%s", tc.name, after, before)
			before = after
		}
	}
	// The same calls, made right, succeed: the refusals above were the rules'.
	if err := fc.NotifyGroupChat(ctx, beta, gs.fakeGroup, wire.NotifyGroupChatRequest{UserIDs: []string{"bob@beta-im"}, MessageInfo: groupText("m@main-im", gs.fakeGroup, "m1@main-im")}); err != nil {
		t.Errorf("G7 from the main server: %v", err)
	}
	if err := gc.Chat(ctx, alpha, wire.ChatRequest{MessageInfo: groupText("greg@gamma-im", gs.g, "m1@gamma-im")}); err != nil {
		t.Errorf("S1 type 2 from a member: %v", err)
	}
	// A stored messageID: its retry succeeds; another message under it, or
	// a repeal by another sender, is refused and changes nothing.
	stored := gs.state(t)
	if err := gc.Chat(ctx, alpha, wire.ChatRequest{MessageInfo: groupText("greg@gamma-im", gs.g, "m1@gamma-im")}); err != nil {
		t.Errorf("the same group message again: %v", err)
	}
	other := groupText("greg@gamma-im", gs.g, "m1@gamma-im")
	other.Content = &wire.TextContent{Message: "something else"}
	apiErr(t, "another message under a stored messageID", gc.Chat(ctx, alpha, wire.ChatRequest{MessageInfo: other}), 409, ReasonDuplicateConflict)
	repeal := wire.MessageInfo{SenderID: "gus@gamma-im", RecvID: gs.g, MessageType: wire.MessageRepeal, Version: wire.Version1, Type: wire.ChatGroup, MessageID: "m1@gamma-im", Content: &wire.RepealContent{}}
	apiErr(t, "a repeal by another sender", gc.Chat(ctx, alpha, wire.ChatRequest{MessageInfo: repeal}), 403, ReasonWrongSender)
	if now := gs.state(t); now != stored {
		t.Errorf("refused duplicates changed the state:\n%s\nwas\n%s", now, stored)
	}
	if err := fc.NotifyGroup(ctx, beta, gs.fakeGroup, wire.GroupNotifyRequest{OperType: wire.OperDissolve, OperUser: wire.UserInfo{UserID: "m@main-im"}}); err != nil {
		t.Errorf("G10 from the main server: %v", err)
	}
	after := gs.state(t)
	for _, want := range []string{"messages=1", "bob: inbox=1 routes=0"} {
		if !strings.Contains(after, want) {
			t.Errorf("after the accepted calls, want %q in\n%s", want, after)
		}
	}
}

// refusedBy asserts an error is a peer's or this server's refusal with
// status and reason.
func refusedBy(t *testing.T, what string, err error, status int, reason string) {
	t.Helper()
	if st, r := adminStatus(err); err == nil || st != status || r != reason {
		t.Errorf("%s: got %v (HTTP %d %s), want HTTP %d %s", what, err, st, r, status, reason)
	}
}

// Joining by application, ownership staying on the main server, repeal
// across servers and G8 paging, between two real servers.
func TestGroupPaths(t *testing.T) {
	ctx := context.Background()
	_, alpha, beta := pair(t)
	alpha.addUser(t, imstore.User{UserID: "amy", Name: "Amy"})
	v, err := alpha.CreateGroup(adminapi.NewGroup{User: "alice", Name: "G"})
	if err != nil {
		t.Fatal(err)
	}
	gid := v.GroupInfo.GroupID

	// An application (G2 without invitation) needs a searchable group.
	_, err = beta.AnswerGroupInvite(ctx, "bob", gid, true)
	refusedBy(t, "applying to a hidden group", err, 403, ReasonNotInvited)
	if _, err := alpha.SetGroup(ctx, adminapi.GroupSet{User: "alice", Group: gid, IsVisible: wire.Yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := beta.AnswerGroupInvite(ctx, "bob", gid, true); err != nil {
		t.Fatalf("applying to a searchable group: %v", err)
	}
	if _, err := alpha.InviteToGroup(ctx, "alice", gid, []string{"amy"}); err != nil {
		t.Fatal(err)
	}
	if _, err := alpha.AnswerGroupInvite(ctx, "amy", gid, true); err != nil {
		t.Fatal(err)
	}
	// A member on beta invites (G1 to alpha, which invites with G1 to beta).
	beta.addUser(t, imstore.User{UserID: "bea", Name: "Bea"})
	if _, err := beta.InviteToGroup(ctx, "bob", gid, []string{"bea"}); err != nil {
		t.Fatalf("bob invites bea: %v", err)
	}
	eventually(t, "bea's invitation, from bob", func() bool {
		invs, err := beta.Invitations("bea")
		return err == nil && len(invs) == 1 && invs[0].Inviter == "bob@beta-im" && invs[0].Main == "alpha-im"
	})
	members, err := beta.GroupMembers(ctx, "bob", gid)
	if err != nil || len(members) != 3 {
		t.Fatalf("members seen from beta: %+v %v", members, err)
	}

	// Ownership stays on alpha; the owner neither quits nor is removed.
	_, err = alpha.TransferGroup("alice", gid, "bob@beta-im")
	refusedBy(t, "transfer to another server's member", err, 400, ReasonNotLocal)
	_, err = alpha.QuitGroup(ctx, "alice", gid)
	refusedBy(t, "the owner quits", err, 409, ReasonConflict)
	_, err = beta.DissolveGroup("bob", gid)
	refusedBy(t, "dissolving from another server", err, 403, ReasonNotOwner)
	_, err = beta.SetGroupAdmin("bob", gid, "bob@beta-im", true)
	refusedBy(t, "making oneself admin from another server", err, 403, ReasonNotOwner)
	name := "mine"
	_, err = beta.SetGroup(ctx, adminapi.GroupSet{User: "bob", Group: gid, Name: &name})
	refusedBy(t, "a plain member renames (G9)", err, 403, ReasonNotAdmin)
	if _, err := alpha.TransferGroup("alice", gid, "amy"); err != nil {
		t.Fatalf("transfer to amy: %v", err)
	}
	if g, _ := alpha.st.GetGroup(gid); g.Owner != "amy@alpha-im" {
		t.Errorf("owner after the transfer: %s", g.Owner)
	}
	_, err = alpha.DissolveGroup("alice", gid)
	refusedBy(t, "the former owner dissolves", err, 403, ReasonNotOwner)

	// bob's message, then its repeal, reach alpha's members.
	m, err := beta.SendGroup(adminapi.GroupSend{User: "bob", Group: gid, MessageType: wire.MessageText, Text: "oops"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "bob's message at alice", func() bool { _, err := alpha.st.InboxMessageByID("alice", m.MessageID); return err == nil })
	if _, err := beta.Repeal("bob", m.MessageID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the repeal at amy", func() bool { in, err := alpha.st.InboxMessageByID("amy", m.MessageID); return err == nil && in.Revoked })
	h, err := beta.GroupHistory(ctx, "bob", gid, "", 0)
	if err != nil || len(h.Messages) != 1 || h.Messages[0].MessageType != wire.MessageRepeal || h.Messages[0].MessageID != m.MessageID {
		t.Errorf("history after the repeal: %+v %v", h, err)
	}

	// G8 pages by 100, oldest first, up to newestMessageID.
	var ids []string
	for i := range 150 {
		sent, err := alpha.SendGroup(adminapi.GroupSend{User: "amy", Group: gid, MessageType: wire.MessageText, Text: fmt.Sprint("n", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sent.MessageID)
	}
	page, err := beta.peers.GroupChat(ctx, alpha.peer(), gid, m.MessageID)
	if err != nil || len(page.Messages) != groupPageSize || page.Messages[0].MessageID != ids[0] || page.NewestMessageID != ids[149] {
		t.Fatalf("first page: %d messages, newest %s, %v", len(page.Messages), page.NewestMessageID, err)
	}
	page, err = beta.peers.GroupChat(ctx, alpha.peer(), gid, page.Messages[groupPageSize-1].MessageID)
	if err != nil || len(page.Messages) != 50 || page.Messages[49].MessageID != ids[149] {
		t.Fatalf("second page: %d messages, %v", len(page.Messages), err)
	}
	_, err = beta.peers.GroupChat(ctx, alpha.peer(), gid, "nope@alpha-im")
	apiErr(t, "G8 after an unknown messageID", err, 404, ReasonNotFound)
}

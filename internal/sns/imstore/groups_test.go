package imstore

import (
	"fmt"
	"strings"
	"testing"
)

func newGroup(t *testing.T, s *Store, id string) Group {
	t.Helper()
	g, err := s.CreateGroup(Group{GroupID: id, Name: "G", IsAllow: 1, IsVisible: 2}, GroupMember{UserID: "alice@alpha"})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func groupMsg(id, group string) Message {
	m := textMsg(id, "alice@alpha", group, "hi")
	m.Type = 2
	return m
}

// A group of this server: its owner, members, messages once each, pages,
// and the refusals that change nothing.
func TestGroupStore(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "alice", "Alice")
	addUser(t, s, "amy", "Amy")
	g := newGroup(t, s, "g1@alpha")
	if g.Owner != "alice@alpha" || g.Members != 1 {
		t.Fatalf("created %+v", g)
	}
	g, err := s.ChangeGroup(GroupChange{GroupID: "g1@alpha", Add: []GroupMember{{UserID: "amy@alpha"}, {UserID: "bob@beta"}, {UserID: "bob@beta"}}},
		Send{Destination: "beta", Conversation: GroupConversation("g1@alpha"), Path: "/sns/notify/grpnotify?groupID=g1%40alpha", Body: []byte(`{}`)})
	if err != nil || g.Members != 3 {
		t.Fatalf("added: %+v %v", g, err)
	}
	if gs, err := s.GroupsOf("bob@beta"); err != nil || len(gs) != 1 || gs[0].GroupID != "g1@alpha" || gs[0].Role != RoleMember {
		t.Errorf("bob's groups: %+v %v", gs, err)
	}
	if gs, err := s.GroupsOf("alice@alpha"); err != nil || len(gs) != 1 || gs[0].Role != RoleOwner || gs[0].Members != 3 {
		t.Errorf("alice's groups: %+v %v", gs, err)
	}
	var ids []string
	for i := range 5 {
		id := fmt.Sprint("m", i, "@alpha")
		ids = append(ids, id)
		if _, dup, err := s.RecordGroupMessage(NewGroupMessage{GroupID: "g1@alpha", Message: groupMsg(id, "g1@alpha"), Sender: "alice", Local: []string{"amy"}}); err != nil || dup {
			t.Fatalf("message %d: %v %v", i, dup, err)
		}
	}
	if _, dup, err := s.RecordGroupMessage(NewGroupMessage{GroupID: "g1@alpha", Message: groupMsg(ids[0], "g1@alpha"), Local: []string{"amy"}}); err != nil || !dup {
		t.Errorf("a message again: dup %v, %v", dup, err)
	}
	if in, _ := s.Inbox("amy", 0, 0); len(in) != 5 {
		t.Errorf("amy holds %d messages, want 5", len(in))
	}
	page, newest, err := s.GroupMessages("g1@alpha", ids[1], 2)
	if err != nil || len(page) != 2 || page[0].MessageID != ids[2] || page[1].MessageID != ids[3] || newest != ids[4] {
		t.Errorf("page after m1: %+v newest %s %v", page, newest, err)
	}
	if _, err := s.RepealGroupMessage("g1@alpha", ids[2], "alice"); err != nil {
		t.Fatal(err)
	}
	if m, _, _ := s.GroupMessageByID(ids[2]); !m.Revoked {
		t.Errorf("repealed message: %+v", m)
	}
	if in, _ := s.InboxMessageByID("amy", ids[2]); !in.Revoked {
		t.Errorf("amy's copy not revoked")
	}
	newGroup(t, s, "g2@alpha")
	if _, err := s.ChangeGroup(GroupChange{GroupID: "g2@alpha", Update: func(g *Group) error { g.Dissolved = true; return nil }}); err != nil {
		t.Fatal(err)
	}

	checkRefusals(t, s, []refusal{
		{"create again", func() error {
			_, err := s.CreateGroup(Group{GroupID: "g1@alpha", Name: "G"}, GroupMember{UserID: "alice@alpha"})
			return err
		}, ErrExists, "already exists"},
		{"create without a name", func() error {
			_, err := s.CreateGroup(Group{GroupID: "g3@alpha"}, GroupMember{UserID: "alice@alpha"})
			return err
		}, ErrInvalid, "name"},
		{"create with a bad id", func() error {
			_, err := s.CreateGroup(Group{GroupID: "g3", Name: "G"}, GroupMember{UserID: "alice@alpha"})
			return err
		}, ErrInvalid, "groupID"},
		{"change a dissolved group", func() error {
			_, err := s.ChangeGroup(GroupChange{GroupID: "g2@alpha", Remove: []string{"alice@alpha"}})
			return err
		}, ErrState, "dissolved"},
		{"a role for a non-member, with other changes", func() error {
			_, err := s.ChangeGroup(GroupChange{GroupID: "g1@alpha", Remove: []string{"amy@alpha"}, Roles: map[string]int{"zed@beta": RoleAdmin}})
			return err
		}, ErrNotFound, "zed@beta"},
		{"an update that empties the name", func() error {
			_, err := s.ChangeGroup(GroupChange{GroupID: "g1@alpha", Update: func(g *Group) error { g.Name = ""; return nil }})
			return err
		}, ErrInvalid, "name"},
		{"a message to a dissolved group", func() error {
			_, _, err := s.RecordGroupMessage(NewGroupMessage{GroupID: "g2@alpha", Message: groupMsg("x@alpha", "g2@alpha")})
			return err
		}, ErrState, "dissolved"},
		{"a message for an unknown local member", func() error {
			_, _, err := s.RecordGroupMessage(NewGroupMessage{GroupID: "g1@alpha", Message: groupMsg("y@alpha", "g1@alpha"), Local: []string{"amy", "zed"}})
			return err
		}, ErrNotFound, "zed"},
		{"a page after another group's message", func() error { _, _, err := s.GroupMessages("g2@alpha", ids[0], 10); return err }, ErrNotFound, ids[0]},
		{"a repeal of another group's message", func() error { _, err := s.RepealGroupMessage("g2@alpha", ids[0], ""); return err }, ErrNotFound, ids[0]},
		{"delivering to an unknown user among others", func() error { return s.DeliverGroup([]string{"amy", "zed"}, groupMsg("z@alpha", "g1@alpha")) }, ErrNotFound, "zed"},
		{"routing an unknown user", func() error { return s.AddGroupRoutes("h@beta", "beta", "H", "alpha", []string{"amy", "zed"}) }, ErrNotFound, "zed"},
	})
}

// Routes to groups of other servers: added with the invitation's name,
// removed per user, dropped for all.
func TestGroupRoutes(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "bob", "Bob")
	addUser(t, s, "bea", "Bea")
	if err := s.PutInvitations([]GroupInvitation{{GroupID: "g1@alpha", GroupName: "Team", Invitee: "bob@beta", Inviter: "alice@alpha", Main: "alpha"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupRoutes("g1@alpha", "alpha", "", "beta", []string{"bob", "bea"}); err != nil {
		t.Fatal(err)
	}
	if invs, _ := s.Invitations("bob@beta"); len(invs) != 0 {
		t.Errorf("bob's invitation kept after joining: %+v", invs)
	}
	r, ok, err := s.GroupRoute("g1@alpha", "bob")
	if err != nil || !ok || r.GroupName != "Team" || r.Main != "alpha" {
		t.Errorf("bob's route: %+v %v %v", r, ok, err)
	}
	// A rename learnt from the main server reaches every local member's route.
	if err := s.RenameGroupRoutes("g1@alpha", "Crew"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"bob", "bea"} {
		if r, _, _ := s.GroupRoute("g1@alpha", u); r.GroupName != "Crew" || r.Main != "alpha" {
			t.Errorf("%s's route after the rename: %+v", u, r)
		}
	}
	if err := s.RenameGroupRoutes("g1@alpha", strings.Repeat("x", 10000)); err == nil {
		t.Error("an overlong name was stored")
	}
	if r, _, _ := s.GroupRoute("g1@alpha", "bob"); r.GroupName != "Crew" {
		t.Errorf("a refused rename changed the route: %+v", r)
	}
	if missing, err := s.UnroutedMember("g1@alpha", []string{"bob", "bea"}); err != nil || missing != "" {
		t.Errorf("both routed, but %q is not (%v)", missing, err)
	}
	if missing, _ := s.UnroutedMember("g1@alpha", []string{"bea", "zed", "bob"}); missing != "zed" {
		t.Errorf("unrouted: %q, want zed", missing)
	}
	if gone, err := s.RemoveGroupRoutes("g1@alpha", []string{"bob", "nobody"}); err != nil || len(gone) != 1 {
		t.Errorf("removed %v, %v", gone, err)
	}
	if gone, err := s.RemoveGroupRoutes("g1@alpha", nil); err != nil || len(gone) != 0 {
		t.Errorf("removing nobody removed %v, %v", gone, err)
	}
	if _, ok, _ := s.GroupRoute("g1@alpha", "bea"); !ok {
		t.Errorf("bea's route went with bob's")
	}
	if err := s.PutInvitations([]GroupInvitation{{GroupID: "g1@alpha", Invitee: "bob@beta"}, {GroupID: "g2@alpha", Invitee: "bob@beta"}}); err != nil {
		t.Fatal(err)
	}
	if gone, err := s.DropGroupRoutes("g1@alpha"); err != nil || len(gone) != 1 {
		t.Errorf("dropped %v, %v", gone, err)
	}
	if invs, _ := s.Invitations("bob@beta"); len(invs) != 1 || invs[0].GroupID != "g2@alpha" {
		t.Errorf("invitations after g1 was dropped: %+v", invs)
	}
	if routes, _ := s.GroupRoutesOf("bea"); len(routes) != 0 {
		t.Errorf("bea's routes after the drop: %+v", routes)
	}
}

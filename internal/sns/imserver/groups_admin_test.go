package imserver

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// The group operations of the admin API, as `imictl im group` uses them,
// and their refusals of bad input, which change nothing.
func TestGroupAdminAPI(t *testing.T) {
	ctx := context.Background()
	_, alphaSrv, betaSrv := pair(t)
	alpha, beta := adminOf(t, alphaSrv), adminOf(t, betaSrv)
	g, err := alpha.CreateGroup(ctx, adminapi.NewGroup{User: "alice", Name: "Ops", Icon: "icon.png", IsAllow: 2, IsVisible: 1})
	if err != nil || g.Main != "alpha-im" || g.GroupInfo.GroupMemberNum != 1 || g.GSet != (wire.GroupSettings{IsAllow: 2, IsVisible: 1}) {
		t.Fatalf("create: %+v %v", g, err)
	}
	gid := g.GroupInfo.GroupID
	if res, err := alpha.InviteToGroup(ctx, "alice", gid, []string{"bob@beta-im"}); err != nil || res.Done != adminapi.GroupDoneInvited {
		t.Fatalf("invite: %+v %v", res, err)
	}
	var invs []adminapi.GroupInvitation
	eventually(t, "bob's invitation", func() bool {
		invs, err = beta.GroupInvitations(ctx, "bob")
		return err == nil && len(invs) == 1
	})
	if invs[0].GroupName != "Ops" || invs[0].Main != "alpha-im" || invs[0].Inviter != "alice@alpha-im" {
		t.Errorf("invitation: %+v", invs[0])
	}
	if _, err := beta.AnswerGroupInvite(ctx, "bob", gid, true); err != nil {
		t.Fatal(err)
	}
	list, err := beta.Groups(ctx, "bob")
	if err != nil || len(list) != 1 || list[0].GroupName != "Ops" || list[0].Main != "alpha-im" {
		t.Errorf("bob's groups: %+v %v", list, err)
	}
	if list, err := alpha.Groups(ctx, "alice"); err != nil || len(list) != 1 || list[0].UserType != imstore.RoleOwner {
		t.Errorf("alice's groups: %+v %v", list, err)
	}
	if _, err := beta.SendGroupText(ctx, "bob", gid, "hi all"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "bob's message in the history", func() bool {
		h, err := alpha.GroupHistory(ctx, "alice", gid, "", 10)
		return err == nil && len(h.Messages) == 1
	})
	file, err := alpha.SendGroupFile(ctx, "alice", gid, wire.MessageImage, "a.png", strings.NewReader("png bytes"), 0)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "alice's image at bob", func() bool {
		var buf bytes.Buffer
		_, err := beta.FetchFile(ctx, "bob", file.MessageID, &buf)
		return err == nil && buf.String() == "png bytes"
	})
	h, err := beta.GroupHistory(ctx, "bob", gid, "", 1)
	if err != nil || len(h.Messages) != 1 || h.NewestMessageID != file.MessageID {
		t.Errorf("bob's history, limit 1: %+v %v", h, err)
	}

	before, _ := alphaSrv.st.GroupMembers(gid)
	for _, tc := range []struct {
		name   string
		call   func() error
		status int
		reason string
	}{
		{"create for an unknown user", func() error { _, err := alpha.CreateGroup(ctx, adminapi.NewGroup{User: "zed", Name: "x"}); return err }, 404, ReasonNotFound},
		{"create without a name", func() error { _, err := alpha.CreateGroup(ctx, adminapi.NewGroup{User: "alice"}); return err }, 400, ReasonBadRequest},
		{"create with isAllow 3", func() error {
			_, err := alpha.CreateGroup(ctx, adminapi.NewGroup{User: "alice", Name: "x", IsAllow: 3})
			return err
		}, 400, ReasonBadRequest},
		{"show a malformed group id", func() error { _, err := alpha.GroupShow(ctx, "alice", "no-at-sign"); return err }, 400, ReasonBadRequest},
		{"show an unknown group", func() error { _, err := alpha.GroupShow(ctx, "alice", "nope@alpha-im"); return err }, 404, ReasonUnknownGroup},
		{"show as a non-member of another server's group", func() error {
			_, err := beta.GroupShow(ctx, "bob", "other@alpha-im")
			return err
		}, 403, ReasonNotMember},
		{"invite nobody", func() error { _, err := alpha.InviteToGroup(ctx, "alice", gid, nil); return err }, 400, ReasonBadRequest},
		{"invite a malformed id", func() error { _, err := alpha.InviteToGroup(ctx, "alice", gid, []string{"a@b@c"}); return err }, 400, ReasonBadRequest},
		{"invite an unknown local user", func() error { _, err := alpha.InviteToGroup(ctx, "alice", gid, []string{"zed"}); return err }, 404, ReasonUnknownUser},
		{"invite as a plain member, isAllow 2 (G1 refused by alpha)", func() error {
			_, err := beta.InviteToGroup(ctx, "bob", gid, []string{"x@gamma-im"})
			return err
		}, 403, ReasonInviteNotAllowed},
		{"set nothing", func() error { _, err := alpha.SetGroup(ctx, adminapi.GroupSet{User: "alice", Group: gid}); return err }, 400, ReasonBadRequest},
		{"set isVisible 7", func() error {
			_, err := alpha.SetGroup(ctx, adminapi.GroupSet{User: "alice", Group: gid, IsVisible: 7})
			return err
		}, 400, ReasonBadRequest},
		{"remove a non-member", func() error {
			_, err := alpha.RemoveGroupMembers(ctx, "alice", gid, []string{"zed@gamma-im"})
			return err
		}, 403, ReasonNotMember},
		{"history after a malformed messageID, of another server's group", func() error {
			_, err := beta.GroupHistory(ctx, "bob", gid, "../x", 0)
			return err
		}, 400, ReasonBadRequest},
		{"history after an unknown message", func() error { _, err := alpha.GroupHistory(ctx, "alice", gid, "nope@alpha-im", 0); return err }, 404, ReasonNotFound},
		{"send to a group one is not in", func() error { _, err := beta.SendGroupText(ctx, "bob", "other@alpha-im", "x"); return err }, 403, ReasonNotMember},
		{"send an empty text", func() error { _, err := alpha.SendGroupText(ctx, "alice", gid, ""); return err }, 400, ReasonBadRequest},
	} {
		err := tc.call()
		if st, r := adminStatusOf(err); st != tc.status || r != tc.reason {
			t.Errorf("%s: got %v (HTTP %d %s), want HTTP %d %s", tc.name, err, st, r, tc.status, tc.reason)
		}
	}
	if after, _ := alphaSrv.st.GroupMembers(gid); len(after) != len(before) {
		t.Errorf("refusals changed the members: %+v", after)
	}
}

// adminStatusOf is the status and reason of an admin API refusal.
func adminStatusOf(err error) (int, string) {
	var e *adminclient.Error
	if !errors.As(err, &e) {
		return 0, ""
	}
	return e.Status, e.Reason
}

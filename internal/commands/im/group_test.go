package im_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/im/imtest"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// memberList is a G12 answer as "id:role" strings, sorted.
func memberList(members []wire.GroupMember) []string {
	out := make([]string, 0, len(members))
	for _, m := range members {
		out = append(out, m.UserInfo.UserID+":"+[]string{"?", "member", "admin", "owner"}[min(m.UserType, 3)])
	}
	slices.Sort(out)
	return out
}

// A group on first with members on first, second and third, driven with
// `imictl im group` on each server in JSON: invitations accepted (by
// name and by id) and refused, a message from second and one from first
// in every other member's inbox once, a file from third fetched on
// second, settings, admins, removal, quitting, transfer and dissolution —
// each server's view (G11, G12 for the remote ones) agreeing after each
// step.
func TestGroupAcrossThreeServers(t *testing.T) {
	w := newWorld(t)
	first, second := w.first, w.second
	third := w.IM(t, "third")
	im(t, first, "user", "add", "alice", "--name", "Alice").Expect(t, 0)
	im(t, first, "user", "add", "dave", "--name", "Dave").Expect(t, 0)
	im(t, second, "user", "add", "bob", "--name", "Bob").Expect(t, 0)
	im(t, third, "user", "add", "carol", "--name", "Carol").Expect(t, 0)
	im(t, third, "user", "add", "erin", "--name", "Erin").Expect(t, 0)

	var g adminapi.GroupView
	imJSON(t, first, &g, "group", "create", "team", "--user", "alice")
	gid := g.GroupInfo.GroupID
	if !strings.HasSuffix(gid, "@first") || g.Main != "first" || g.GroupInfo.GroupName != "team" || g.GroupInfo.CreateUser != "alice@first" ||
		g.GroupInfo.GroupMemberNum != 1 || g.GSet != (wire.GroupSettings{IsAllow: wire.Yes, IsVisible: wire.No}) {
		t.Fatalf("create: %+v", g)
	}

	// Invitations: bob accepts by the group's name, carol by its id, erin
	// refuses, dave (a local user) accepts.
	var r adminapi.GroupResult
	imJSON(t, first, &r, "group", "invite", "team", "bob@second", "carol@third", "erin@third", "dave", "--user", "alice")
	if r.GroupID != gid || r.Done != adminapi.GroupDoneInvited || len(r.Users) != 4 {
		t.Errorf("invite: %+v", r)
	}
	var invs []struct {
		GroupID, GroupName, Invitee, Inviter, Main string
		InvitedAt                                  time.Time
	}
	res := im(t, second, "group", "invitations", "bob", "--wait", "-o", "json")
	res.Expect(t, 0)
	imJSON(t, second, &invs, "group", "invitations", "bob")
	if len(invs) != 1 || invs[0].GroupID != gid || invs[0].GroupName != "team" || invs[0].Inviter != "alice@first" ||
		invs[0].Invitee != "bob@second" || invs[0].Main != "first" || invs[0].InvitedAt.IsZero() || invs[0].InvitedAt.Location() != time.UTC {
		t.Fatalf("bob's invitations: %+v", invs)
	}
	imJSON(t, second, &r, "group", "accept", "team", "--user", "bob")
	if r.Done != adminapi.GroupDoneJoined || r.GroupID != gid {
		t.Errorf("bob accepts: %+v", r)
	}
	im(t, third, "group", "invitations", "erin", "--wait").Expect(t, 0)
	imJSON(t, third, &r, "group", "accept", gid, "--user", "carol")
	imJSON(t, third, &r, "group", "refuse", "team", "--user", "erin")
	if r.Done != adminapi.GroupDoneRefused {
		t.Errorf("erin refuses: %+v", r)
	}
	imJSON(t, first, &r, "group", "accept", "team", "--user", "dave")
	imJSON(t, third, &invs, "group", "invitations", "erin")
	if len(invs) != 0 {
		t.Errorf("erin's invitations after refusing: %+v", invs)
	}

	// Every server's view agrees.
	agree := func(what string, want ...string) {
		t.Helper()
		slices.Sort(want)
		for _, v := range []struct {
			s    *imtest.IM
			user string
		}{{first, "alice"}, {second, "bob"}, {third, "carol"}} {
			var members []wire.GroupMember
			imJSON(t, v.s, &members, "group", "members", gid, "--user", v.user)
			if got := memberList(members); !slices.Equal(got, want) {
				t.Errorf("%s: %s sees %v, want %v", what, v.s.ID, got, want)
			}
			var show adminapi.GroupView
			imJSON(t, v.s, &show, "group", "show", gid, "--user", v.user)
			if show.GroupInfo.GroupMemberNum != len(want) || show.Main != "first" {
				t.Errorf("%s: %s shows %+v", what, v.s.ID, show)
			}
		}
	}
	agree("after the invitations", "alice@first:owner", "bob@second:member", "carol@third:member", "dave@first:member")
	var groups []adminapi.GroupEntry
	imJSON(t, second, &groups, "group", "list", "bob")
	if len(groups) != 1 || groups[0].GroupID != gid || groups[0].Main != "first" {
		t.Errorf("bob's groups: %+v", groups)
	}
	imJSON(t, third, &groups, "group", "list", "erin")
	if len(groups) != 0 {
		t.Errorf("erin's groups: %+v", groups)
	}

	// bob's message reaches alice, dave and carol once; the main server
	// keeps it for G8.
	var sent imstore.SentMessage
	imJSON(t, second, &sent, "group", "send", "team", "--from", "bob", "--text", "hello, team")
	for _, v := range []struct {
		s    *imtest.IM
		user string
	}{{first, "alice"}, {first, "dave"}, {third, "carol"}} {
		im(t, v.s, "inbox", v.user, "--wait").Expect(t, 0)
		var inbox []imstore.InboxMessage
		imJSON(t, v.s, &inbox, "inbox", v.user)
		if len(inbox) != 1 || inbox[0].MessageID != sent.MessageID || inbox[0].From != "bob@second" || inbox[0].Type != wire.ChatGroup {
			t.Errorf("%s's inbox: %+v", v.user, inbox)
		}
	}
	var h adminapi.GroupHistory
	imJSON(t, third, &h, "group", "history", "team", "--user", "carol", "--wait")
	if len(h.Messages) != 1 || h.Messages[0].MessageID != sent.MessageID || h.NewestMessageID != sent.MessageID {
		t.Errorf("history: %+v", h)
	}
	imJSON(t, first, &h, "group", "history", gid, "--user", "alice", "--after", sent.MessageID)
	if len(h.Messages) != 0 || h.Messages == nil {
		t.Errorf("history after the newest: %+v", h)
	}

	// alice's message, sent on the main server, reaches bob and carol.
	var welcome imstore.SentMessage
	imJSON(t, first, &welcome, "group", "send", "team", "--from", "alice", "--text", "welcome")
	for _, v := range []struct {
		s    *imtest.IM
		user string
		n    int
	}{{second, "bob", 1}, {third, "carol", 2}} {
		var inbox []imstore.InboxMessage
		imtest.Eventually(t, "alice's message at "+v.user, func() bool {
			imJSON(t, v.s, &inbox, "inbox", v.user)
			return len(inbox) == v.n
		})
		if m := inbox[v.n-1]; m.MessageID != welcome.MessageID || m.From != "alice@first" || m.To != gid {
			t.Errorf("%s's inbox: %+v", v.user, inbox)
		}
	}

	// carol's file is re-hosted by first and fetched on second.
	content := bytes.Repeat([]byte("group minutes\n"), 300)
	src := filepath.Join(t.TempDir(), "minutes.txt")
	if err := os.WriteFile(src, content, 0o600); err != nil {
		t.Fatal(err)
	}
	imJSON(t, third, &sent, "group", "send", gid, "--from", "carol", "--file", src)
	var inbox []imstore.InboxMessage
	imtest.Eventually(t, "carol's file at bob", func() bool {
		imJSON(t, second, &inbox, "inbox", "bob")
		return len(inbox) == 2
	})
	file := inbox[1]
	if file.MessageID != sent.MessageID || file.MessageType != wire.MessageFile || !strings.HasSuffix(file.FileID, "@first") {
		t.Fatalf("bob's file message: %+v", file)
	}
	out := filepath.Join(t.TempDir(), "got.txt")
	var got struct{ MD5 string }
	imJSON(t, second, &got, "file", "get", file.FileID, "--user", "bob", "--out", out)
	sum := md5.Sum(content)
	if b, err := os.ReadFile(out); err != nil || !bytes.Equal(b, content) || got.MD5 != hex.EncodeToString(sum[:]) {
		t.Errorf("bob's copy: %d bytes, md5 %s, %v", len(b), got.MD5, err)
	}

	// Settings: bob, a member on another server, may not; alice may.
	res = im(t, second, "group", "set", "team", "--user", "bob", "--name", "bob's team")
	res.Expect(t, cmdutil.ExitFailure)
	if !strings.Contains(res.Stderr, "(reason: not_admin)") {
		t.Errorf("bob sets: %s", res.Stderr)
	}
	imJSON(t, first, &g, "group", "set", "team", "--user", "alice", "--name", "crew", "--visible", "yes")
	if g.GroupInfo.GroupName != "crew" || g.GSet != (wire.GroupSettings{IsAllow: wire.Yes, IsVisible: wire.Yes}) {
		t.Errorf("set: %+v", g)
	}
	imJSON(t, third, &g, "group", "show", gid, "--user", "carol")
	if g.GroupInfo.GroupName != "crew" || g.GSet.IsVisible != wire.Yes {
		t.Errorf("carol sees %+v", g)
	}

	// Admins: dave, and bob, who then changes a setting from second (G9).
	imJSON(t, first, &r, "group", "admin", "crew", "dave", "--user", "alice")
	if r.Done != adminapi.GroupDoneAdminSet || !slices.Equal(r.Users, []string{"dave@first"}) {
		t.Errorf("admin: %+v", r)
	}
	imJSON(t, first, &r, "group", "admin", "crew", "bob@second", "--user", "alice")
	agree("dave and bob made admins", "alice@first:owner", "bob@second:admin", "carol@third:member", "dave@first:admin")
	imJSON(t, second, &g, "group", "set", gid, "--user", "bob", "--allow-invite", "no")
	if g.GroupInfo.GroupName != "crew" || g.GSet != (wire.GroupSettings{IsAllow: wire.No, IsVisible: wire.Yes}) {
		t.Errorf("bob sets: %+v", g)
	}
	imJSON(t, third, &g, "group", "show", gid, "--user", "carol")
	if g.GSet.IsAllow != wire.No {
		t.Errorf("carol sees %+v", g)
	}
	res = im(t, third, "group", "invite", gid, "erin", "--user", "carol")
	res.Expect(t, cmdutil.ExitFailure)
	if !strings.Contains(res.Stderr, "(reason: invite_not_allowed)") {
		t.Errorf("carol invites: %s", res.Stderr)
	}
	imJSON(t, first, &r, "group", "admin", "crew", "bob@second", "--user", "alice", "--unset")
	if r.Done != adminapi.GroupDoneAdminUnset {
		t.Errorf("admin --unset: %+v", r)
	}

	// Removal, quitting, transfer.
	imJSON(t, first, &r, "group", "remove", "crew", "carol@third", "--user", "alice")
	if r.Done != adminapi.GroupDoneRemoved || !slices.Equal(r.Users, []string{"carol@third"}) {
		t.Errorf("remove: %+v", r)
	}
	imJSON(t, second, &r, "group", "quit", gid, "--user", "bob")
	if r.Done != adminapi.GroupDoneQuit {
		t.Errorf("quit: %+v", r)
	}
	// Their servers no longer route them to the group (carol's once the
	// main server's G10 arrived) and refuse to ask for them.
	for _, v := range []struct {
		s    *imtest.IM
		user string
	}{{second, "bob"}, {third, "carol"}} {
		imtest.Eventually(t, v.user+" out of the group", func() bool {
			imJSON(t, v.s, &groups, "group", "list", v.user)
			return len(groups) == 0
		})
		res := im(t, v.s, "group", "members", gid, "--user", v.user)
		res.Expect(t, cmdutil.ExitFailure)
		if !strings.Contains(res.Stderr, v.user+" is not a member of group "+gid) || !strings.Contains(res.Stderr, "(reason: not_member)") {
			t.Errorf("%s asks for the members: %s", v.user, res.Stderr)
		}
	}
	agree2 := func(what string, want ...string) {
		t.Helper()
		var members []wire.GroupMember
		imJSON(t, first, &members, "group", "members", gid, "--user", "alice")
		if got := memberList(members); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	agree2("after the removal and the quitting", "alice@first:owner", "dave@first:admin")
	imJSON(t, first, &r, "group", "transfer", gid, "dave", "--user", "alice")
	if r.Done != adminapi.GroupDoneTransferred {
		t.Errorf("transfer: %+v", r)
	}
	agree2("after the transfer", "alice@first:member", "dave@first:owner")

	// Dissolving needs --yes without a terminal, then only the owner may.
	res = im(t, first, "group", "dissolve", gid, "--user", "dave")
	res.Expect(t, cmdutil.ExitUsage)
	if !strings.Contains(res.Stderr, "pass --yes") {
		t.Errorf("dissolve without --yes: %s", res.Stderr)
	}
	res = im(t, first, "group", "dissolve", gid, "--user", "alice", "--yes")
	res.Expect(t, cmdutil.ExitFailure)
	if !strings.Contains(res.Stderr, "(reason: not_owner)") {
		t.Errorf("alice dissolves: %s", res.Stderr)
	}
	imJSON(t, first, &r, "group", "dissolve", gid, "--user", "dave", "--yes")
	if r.Done != adminapi.GroupDoneDissolved || r.Users == nil {
		t.Errorf("dissolve: %+v", r)
	}
	imJSON(t, first, &groups, "group", "list", "alice")
	if len(groups) != 0 {
		t.Errorf("alice's groups after the dissolution: %+v", groups)
	}
}

package sns_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/im/imtest"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// Every G1-G12 command, -o json, against the reference IM server
// "second", signing as the registered server "first" (whose reference
// server runs too): a group of second joined, read, written to and left
// by alice@first; a group of first whose main-server calls (G7, G10) the
// commands make by hand; and the refusals of second's rules, printed
// with their reason.
func TestGroupsAgainstReferenceServer(t *testing.T) {
	w := imtest.Start(t)
	first, second := w.IM(t, "first"), w.IM(t, "second")
	env := cmdtest.Options{Env: map[string]string{
		identity.EnvKey: first.Key, identity.EnvCert: first.Cert, identity.EnvRoot: first.Root, identity.EnvMgmt: w.Mgmt.URL(),
		identity.ConfigEnv: filepath.Join(t.TempDir(), "none.yaml"),
	}}
	type envelope struct {
		Code   int    `json:"code"`
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}
	// sns runs `imictl sns ARGS -o json` as first, expects exit code
	// want and decodes the answer.
	sns := func(want int, v any, args ...string) {
		t.Helper()
		res := cmdtest.Run(t, env, append(append([]string{"sns"}, args...), "-o", "json")...)
		res.Expect(t, want)
		if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
			t.Fatalf("sns %v: %v\n%s", args, err, res.Stdout)
		}
	}
	ok := func(args ...string) {
		t.Helper()
		var e envelope
		sns(0, &e, args...)
		if e.Code != 0 || e.Error != "" {
			t.Errorf("%v: %+v", args, e)
		}
	}
	refused := func(reason string, args ...string) {
		t.Helper()
		var e envelope
		sns(cmdutil.ExitFailure, &e, args...)
		if e.Code != 1 || e.Reason != reason || e.Error == "" {
			t.Errorf("%v: %+v, want reason %s", args, e, reason)
		}
	}
	// im runs `imictl im ARGS -o json` on s and decodes the answer.
	im := func(s *imtest.IM, v any, args ...string) {
		t.Helper()
		res := cmdtest.Run(t, cmdtest.Options{}, append(append([]string{"im"}, args...), "-o", "json", "--data-dir", s.DataDir)...)
		res.Expect(t, 0)
		if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
			t.Fatalf("im %v: %v\n%s", args, err, res.Stdout)
		}
	}
	var u imstore.User
	im(second, &u, "user", "add", "bob", "--name", "Bob")
	im(first, &u, "user", "add", "alice", "--name", "Alice")
	im(first, &u, "user", "add", "carol", "--name", "Carol")

	// bob's group on second; alice@first is invited, and agrees (G2).
	var g adminapi.GroupView
	im(second, &g, "group", "create", "team", "--user", "bob")
	gid := g.GroupInfo.GroupID
	var r adminapi.GroupResult
	im(second, &r, "group", "invite", gid, "alice@first", "--user", "bob")
	ok("answer-group-invite", gid, "--owner", "alice@first", "--agree")

	// G11, G12.
	var info struct {
		envelope
		GSet      struct{ IsAllow, IsVisible int }
		GroupInfo struct {
			GroupID, GroupName, CreateUser string
			GroupMemberNum                 int
		}
	}
	sns(0, &info, "group-info", gid, "--user", "alice@first")
	if info.GroupInfo.GroupID != gid || info.GroupInfo.GroupName != "team" || info.GroupInfo.CreateUser != "bob@second" ||
		info.GroupInfo.GroupMemberNum != 2 || info.GSet.IsAllow != 1 || info.GSet.IsVisible != 2 {
		t.Errorf("group-info: %+v", info)
	}
	var members struct {
		envelope
		Members []struct {
			UserType int
			UserInfo struct{ UserID, Name string }
		}
	}
	sns(0, &members, "group-members", gid, "--user", "alice@first")
	if len(members.Members) != 2 || members.Members[0].UserType+members.Members[1].UserType != 4 {
		t.Errorf("group-members: %+v", members)
	}

	// S1 type 2, then G8.
	ok("chat", gid, "--group", "--from", "alice@first", "--text", "hi from first", "--message-id", "m1@first")
	var inbox []imstore.InboxMessage
	imtest.Eventually(t, "the group message at bob", func() bool {
		im(second, &inbox, "inbox", "bob")
		return len(inbox) == 1
	})
	if inbox[0].MessageID != "m1@first" || inbox[0].To != gid || inbox[0].From != "alice@first" {
		t.Errorf("bob's inbox: %+v", inbox)
	}
	var hist struct {
		envelope
		NewestMessageID string
		Messages        []struct{ MessageID, SenderID, RecvID string }
	}
	sns(0, &hist, "group-chat", gid)
	if hist.NewestMessageID != "m1@first" || len(hist.Messages) != 1 || hist.Messages[0].SenderID != "alice@first" || hist.Messages[0].RecvID != gid {
		t.Errorf("group-chat: %+v", hist)
	}
	sns(0, &hist, "group-chat", gid, "--after", "m1@first")
	if hist.NewestMessageID != "m1@first" || len(hist.Messages) != 0 {
		t.Errorf("group-chat --after the newest: %+v", hist)
	}

	// G1 by a member (the group allows it): second passes it on to first.
	ok("invite-group", gid, "carol@first", "--inviter", "alice@first", "--group-name", "team", "--name", "Alice")
	var invs []struct {
		GroupID, GroupName, Invitee, Inviter, Main string
		InvitedAt                                  time.Time
	}
	imtest.Eventually(t, "carol's invitation at first", func() bool {
		im(first, &invs, "group", "invitations", "carol")
		return len(invs) == 1
	})
	if invs[0].GroupID != gid || invs[0].Inviter != "alice@first" {
		t.Errorf("carol's invitation: %+v", invs)
	}

	// second's rules: alice is neither an admin (G9) nor the owner (G3);
	// first is not the main server of bob's group (G7).
	refused("not_admin", "update-group", gid, "--owner", "alice@first", "--group-name", "alice's")
	refused("not_owner", "remove-members", gid, "bob@second", "--owner", "alice@first")
	refused("not_main_server", "notify-group-chat", gid, "--member", "bob@second", "--from", "alice@first", "--text", "forged")
	// Made an admin, alice may change the group from first (G9).
	im(second, &r, "group", "admin", gid, "alice@first", "--user", "bob")
	ok("update-group", gid, "--owner", "alice@first", "--group-name", "team two", "--allow-invite", "2", "--visible", "1")
	sns(0, &info, "group-info", gid, "--user", "alice@first")
	if info.GroupInfo.GroupName != "team two" || info.GSet.IsAllow != 2 || info.GSet.IsVisible != 1 {
		t.Errorf("group-info after update-group: %+v", info)
	}

	// alice's group on first, bob a member: the commands make first's
	// calls as its main server (G7, G10).
	im(first, &g, "group", "create", "ops", "--user", "alice")
	ops := g.GroupInfo.GroupID
	im(first, &r, "group", "invite", ops, "bob@second", "--user", "alice")
	imtest.Eventually(t, "bob's invitation at second", func() bool {
		im(second, &invs, "group", "invitations", "bob")
		return len(invs) == 1
	})
	im(second, &r, "group", "accept", ops, "--user", "bob")
	ok("notify-group-chat", ops, "--member", "bob@second", "--from", "alice@first", "--text", "by hand", "--message-id", "m2@first")
	im(second, &inbox, "inbox", "bob")
	if len(inbox) < 2 || inbox[len(inbox)-1].MessageID != "m2@first" || inbox[len(inbox)-1].To != ops {
		t.Errorf("bob's inbox after G7: %+v", inbox)
	}
	ok("notify-group", ops, "--oper-type", "info", "--oper-user", "alice@first", "--allow-invite", "1", "--visible", "2", "--to", "second")
	ok("notify-group", ops, "--oper-type", "remove", "--oper-user", "alice@first", "--user", "bob@second", "--to", "second")
	var groups []adminapi.GroupEntry
	im(second, &groups, "group", "list", "bob")
	if len(groups) != 1 || groups[0].GroupID != gid {
		t.Errorf("bob's groups after G10 remove: %+v", groups)
	}
	refused("not_hosted", "notify-group-chat", ops, "--member", "bob@second", "--from", "alice@first", "--text", "after the removal")
	refused("unknown_user", "notify-group", ops, "--oper-type", "add", "--oper-user", "alice@first", "--user", "nobody@second", "--to", "second")

	// G4, after which second answers first about the group no more.
	ok("quit-group", gid, "--owner", "alice@first")
	refused("not_member", "group-info", gid, "--user", "alice@first")
	refused("not_member", "group-chat", gid)
}

package imserver_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// groupWorld is three real IM servers and the real management server:
// alpha holds the main group, beta and gamma have members.
type groupWorld struct {
	t                  *testing.T
	e                  *e2e
	alpha, beta, gamma *imServer
	gid                string
}

// member is a user asking from its own server.
type member struct {
	s    *imServer
	user string
}

func (m member) id() string { return m.user + "@" + m.s.id }

// view is what a member's server says about the group (G11 and G12 when
// the group is elsewhere): "name n=<members> allow visible | id:type ...".
func (w *groupWorld) view(m member) string {
	ctx := context.Background()
	g := must(m.s.admin.GroupShow(ctx, m.user, w.gid))(w.t)
	members := must(m.s.admin.GroupMembers(ctx, m.user, w.gid))(w.t)
	var ms []string
	for _, x := range members {
		ms = append(ms, fmt.Sprintf("%s:%d", x.UserInfo.UserID, x.UserType))
	}
	slices.Sort(ms)
	return fmt.Sprintf("%s n=%d allow=%d visible=%d main=%s | %s", g.GroupInfo.GroupName, g.GroupInfo.GroupMemberNum, g.GSet.IsAllow, g.GSet.IsVisible, g.Main, strings.Join(ms, " "))
}

// agree checks that every member's server gives the same view, and that
// it is want.
func (w *groupWorld) agree(step, want string, members ...member) {
	w.t.Helper()
	for _, m := range members {
		if got := w.view(m); got != want {
			w.t.Errorf("%s: %s sees\n%s\nwant\n%s", step, m.id(), got, want)
		}
	}
}

// copies counts the copies of messageID in user's inbox.
func copies(t *testing.T, m member, messageID string) int {
	n := 0
	for _, x := range must(m.s.admin.Inbox(context.Background(), m.user, 0, 0))(t) {
		if x.MessageID == messageID {
			n++
		}
	}
	return n
}

func refusedWith(t *testing.T, what string, err error, status int, reason string) {
	t.Helper()
	var ae *adminclient.Error
	if !errors.As(err, &ae) || ae.Reason != reason || ae.Status != status {
		t.Errorf("%s: got %v, want HTTP %d %s", what, err, status, reason)
	}
}

// A group across three servers, over real HTTP with real signatures:
// invitations accepted and refused across servers, messages and a file
// fanned out once to every member, settings changed by an admin of
// another server, an outage, removal, quitting and dissolution, with
// every server's view compared after each step.
func TestGroupsEndToEnd(t *testing.T) {
	ctx := context.Background()
	e := startMgmt(t)
	w := &groupWorld{t: t, e: e, alpha: e.register("alpha-im"), beta: e.register("beta-im"), gamma: e.register("gamma-im")}
	for _, s := range []*imServer{w.alpha, w.beta, w.gamma} {
		e.start(s)
	}
	for _, u := range []struct {
		s        *imServer
		id, name string
	}{{w.alpha, "alice", "Alice"}, {w.alpha, "amy", "Amy"}, {w.beta, "bob", "Bob"}, {w.beta, "ben", "Ben"}, {w.beta, "bea", "Bea"}, {w.gamma, "carl", "Carl"}, {w.gamma, "cora", "Cora"}} {
		must(u.s.admin.AddUser(ctx, adminapi.NewUser{UserID: u.id, Name: u.name}))(t)
	}
	alice, amy := member{w.alpha, "alice"}, member{w.alpha, "amy"}
	bob, ben, bea := member{w.beta, "bob"}, member{w.beta, "ben"}, member{w.beta, "bea"}
	carl, cora := member{w.gamma, "carl"}, member{w.gamma, "cora"}

	g := must(w.alpha.admin.CreateGroup(ctx, adminapi.NewGroup{User: "alice", Name: "Team"}))(t)
	w.gid = g.GroupInfo.GroupID
	if !strings.HasSuffix(w.gid, "@alpha-im") || g.GSet != (wire.GroupSettings{IsAllow: 1, IsVisible: 2}) {
		t.Fatalf("created %+v", g)
	}
	must(w.alpha.admin.InviteToGroup(ctx, "alice", w.gid, []string{"amy", bob.id(), ben.id(), bea.id(), carl.id(), cora.id()}))(t)
	for _, m := range []member{bob, ben, bea, carl, cora} {
		eventually(t, "the invitation at "+m.id(), func() bool {
			invs := must(m.s.admin.GroupInvitations(ctx, m.user))(t)
			return len(invs) == 1 && invs[0].GroupID == w.gid && invs[0].GroupName == "Team" && invs[0].Inviter == alice.id()
		})
	}
	for _, m := range []member{amy, bob, ben, carl, cora} {
		must(m.s.admin.AnswerGroupInvite(ctx, m.user, w.gid, true))(t)
	}
	must(bea.s.admin.AnswerGroupInvite(ctx, "bea", w.gid, false))(t)
	if invs := must(w.beta.admin.GroupInvitations(ctx, "bea"))(t); len(invs) != 0 {
		t.Errorf("bea's invitation after refusing: %+v", invs)
	}
	everyone := []member{alice, amy, bob, ben, carl, cora}
	w.agree("joined", "Team n=6 allow=1 visible=2 main=alpha-im | alice@alpha-im:3 amy@alpha-im:1 ben@beta-im:1 bob@beta-im:1 carl@gamma-im:1 cora@gamma-im:1", everyone...)
	_, err := w.beta.admin.GroupShow(ctx, "bea", w.gid)
	refusedWith(t, "bea, who refused, asks", err, 403, imserver.ReasonNotMember)

	// A message from bob reaches every other member once, and not bea.
	hello := must(w.beta.admin.SendGroupText(ctx, "bob", w.gid, "hello from beta"))(t)
	for _, m := range []member{alice, amy, ben, carl, cora} {
		eventually(t, "bob's message at "+m.id(), func() bool { return copies(t, m, hello.MessageID) > 0 })
	}
	// A file from carl is re-hosted by alpha and fetched by bob through beta.
	content := bytes.Repeat([]byte("group file "), 50000)
	file := must(w.gamma.admin.SendGroupFile(ctx, "carl", w.gid, wire.MessageFile, "report.bin", bytes.NewReader(content), 0))(t)
	var atBob imstore.InboxMessage
	eventually(t, "carl's file at bob", func() bool {
		for _, m := range must(w.beta.admin.Inbox(ctx, "bob", 0, 0))(t) {
			if m.MessageID == file.MessageID {
				atBob = m
				return true
			}
		}
		return false
	})
	if !strings.HasSuffix(atBob.FileID, "@alpha-im") || atBob.FileID == file.FileID {
		t.Errorf("the file reached bob as %s: want alpha's own fileID, not carl's %s", atBob.FileID, file.FileID)
	}
	var buf bytes.Buffer
	info := must(w.beta.admin.FetchFile(ctx, "bob", file.MessageID, &buf))(t)
	sum := md5.Sum(content)
	if !bytes.Equal(buf.Bytes(), content) || info.MD5 != hex.EncodeToString(sum[:]) {
		t.Errorf("bob's copy of the file: %d bytes, %+v", buf.Len(), info)
	}
	for _, m := range []member{alice, amy, bob, ben, cora} {
		eventually(t, "carl's file at "+m.id(), func() bool { return copies(t, m, file.MessageID) > 0 })
	}
	for _, m := range everyone {
		for _, id := range []string{hello.MessageID, file.MessageID} {
			want := 1
			if (m == bob && id == hello.MessageID) || (m == carl && id == file.MessageID) {
				want = 0 // the sender has it as sent
			}
			if n := copies(t, m, id); n != want {
				t.Errorf("%s holds %d copies of %s, want %d", m.id(), n, id, want)
			}
		}
	}
	if n := copies(t, bea, hello.MessageID); n != 0 {
		t.Errorf("bea, not a member, got the message")
	}
	hist := must(w.gamma.admin.GroupHistory(ctx, "cora", w.gid, "", 0))(t)
	if len(hist.Messages) != 2 || hist.Messages[0].MessageID != hello.MessageID || hist.NewestMessageID != file.MessageID {
		t.Errorf("history from gamma (G8): %+v", hist)
	}

	// bob, made an admin, renames the group and makes it searchable (G9).
	must(w.alpha.admin.SetGroupAdmin(ctx, "alice", w.gid, bob.id(), true))(t)
	name := "Team B"
	must(w.beta.admin.SetGroup(ctx, adminapi.GroupSet{User: "bob", Group: w.gid, Name: &name, IsVisible: 1}))(t)
	w.agree("renamed by bob", "Team B n=6 allow=1 visible=1 main=alpha-im | alice@alpha-im:3 amy@alpha-im:1 ben@beta-im:1 bob@beta-im:2 carl@gamma-im:1 cora@gamma-im:1", everyone...)
	// Member servers took the new name from the main server's G11 (a G10
	// carries none): their users' group lists show it.
	for _, m := range []member{bob, cora} {
		for _, g := range must(m.s.admin.Groups(ctx, m.user))(t) {
			if g.GroupID == w.gid && g.GroupName != name {
				t.Errorf("%s lists the group as %q after the rename, want %q", m.id(), g.GroupName, name)
			}
		}
	}
	must(w.alpha.admin.SetGroupAdmin(ctx, "alice", w.gid, bob.id(), false))(t)
	w.agree("bob no longer admin", "Team B n=6 allow=1 visible=1 main=alpha-im | alice@alpha-im:3 amy@alpha-im:1 ben@beta-im:1 bob@beta-im:1 carl@gamma-im:1 cora@gamma-im:1", everyone...)

	// gamma is down while bob sends five messages, and alpha restarts;
	// back, gamma gets them all, in order, once.
	w.delivered(w.alpha)
	e.stop(w.gamma)
	var sent []string
	for i := range 5 {
		sent = append(sent, must(w.beta.admin.SendGroupText(ctx, "bob", w.gid, fmt.Sprint("while gamma is down ", i)))(t).MessageID)
	}
	eventually(t, "alpha tried gamma", func() bool {
		items := must(w.alpha.admin.Outbox(ctx, imstore.OutboxFilter{Destination: "gamma-im", State: imstore.OutboxPending}))(t)
		return len(items) == 5 && items[0].Attempts > 0
	})
	e.stop(w.alpha) // the fan-out waits in alpha's outbox across a restart
	e.start(w.alpha)
	e.start(w.gamma)
	for _, m := range []member{carl, cora} {
		eventually(t, "the five at "+m.id(), func() bool { return len(groupTexts(t, m)) == 6 })
		var got []string
		for _, x := range must(m.s.admin.Inbox(ctx, m.user, 0, 0))(t) {
			if slices.Contains(sent, x.MessageID) {
				got = append(got, x.MessageID)
			}
		}
		if !slices.Equal(got, sent) {
			t.Errorf("%s got %v, want %v in order, once", m.id(), got, sent)
		}
	}

	// alice removes cora; carl quits; alice dissolves.
	must(w.alpha.admin.RemoveGroupMembers(ctx, "alice", w.gid, []string{cora.id()}))(t)
	eventually(t, "cora's route gone at gamma", func() bool { return len(must(w.gamma.admin.Groups(ctx, "cora"))(t)) == 0 })
	w.agree("cora removed", "Team B n=5 allow=1 visible=1 main=alpha-im | alice@alpha-im:3 amy@alpha-im:1 ben@beta-im:1 bob@beta-im:1 carl@gamma-im:1", alice, amy, bob, ben, carl)
	must(w.gamma.admin.QuitGroup(ctx, "carl", w.gid))(t)
	w.agree("carl quit", "Team B n=4 allow=1 visible=1 main=alpha-im | alice@alpha-im:3 amy@alpha-im:1 ben@beta-im:1 bob@beta-im:1", alice, amy, bob, ben)
	_, err = w.gamma.admin.GroupShow(ctx, "carl", w.gid)
	refusedWith(t, "carl after quitting", err, 403, imserver.ReasonNotMember)
	eventually(t, "carl's route gone at gamma (G10)", func() bool { return len(must(w.gamma.admin.Groups(ctx, "carl"))(t)) == 0 })
	must(w.alpha.admin.TransferGroup(ctx, "alice", w.gid, "amy"))(t)
	w.agree("amy owns it", "Team B n=4 allow=1 visible=1 main=alpha-im | alice@alpha-im:1 amy@alpha-im:3 ben@beta-im:1 bob@beta-im:1", alice, amy, bob, ben)
	_, err = w.alpha.admin.DissolveGroup(ctx, "alice", w.gid)
	refusedWith(t, "the former owner dissolves", err, 403, imserver.ReasonNotOwner)
	must(w.alpha.admin.DissolveGroup(ctx, "amy", w.gid))(t)
	eventually(t, "bob's route gone at beta", func() bool { return len(must(w.beta.admin.Groups(ctx, "bob"))(t)) == 0 })
	_, err = w.alpha.admin.GroupShow(ctx, "alice", w.gid)
	refusedWith(t, "the dissolved group", err, 410, imserver.ReasonGroupDissolved)
	if list := must(w.alpha.admin.Groups(ctx, "amy"))(t); len(list) != 0 {
		t.Errorf("amy's groups on the main server after the dissolution: %+v", list)
	}

	// Every notice (G10) reached each server with members exactly once.
	w.delivered(w.alpha)
	notices := map[string][]int{}
	for _, it := range must(w.alpha.admin.Outbox(ctx, imstore.OutboxFilter{State: imstore.OutboxDelivered}))(t) {
		if strings.HasPrefix(it.Path, "/sns/notify/grpnotify") {
			var n wire.GroupNotifyRequest
			if err := json.Unmarshal(it.Body, &n); err != nil {
				t.Fatal(err)
			}
			notices[it.Destination] = append(notices[it.Destination], n.OperType)
		}
	}
	// beta: bob, ben, carl and cora joined (operType 1), bob made admin
	// (4), renamed (7), bob admin no more (5), cora removed and carl quit
	// (2), transferred (6), dissolved (3); gamma the same from carl's
	// joining to carl's quitting, after which it had no member left.
	want := map[string][]int{"beta-im": {1, 1, 1, 1, 4, 7, 5, 2, 2, 6, 3}, "gamma-im": {1, 1, 4, 7, 5, 2, 2}}
	if fmt.Sprint(notices) != fmt.Sprint(want) {
		t.Errorf("G10 notices delivered, by operType:\n%v\nwant\n%v", notices, want)
	}
}

// delivered waits until s's outbox has nothing pending.
func (w *groupWorld) delivered(s *imServer) {
	w.t.Helper()
	eventually(w.t, s.id+"'s outbox delivered", func() bool {
		return len(must(s.admin.Outbox(context.Background(), imstore.OutboxFilter{State: imstore.OutboxPending}))(w.t)) == 0
	})
}

// groupTexts are the group text messages in a member's inbox.
func groupTexts(t *testing.T, m member) []string {
	var out []string
	for _, x := range must(m.s.admin.Inbox(context.Background(), m.user, 0, 0))(t) {
		if x.Type == wire.ChatGroup && x.MessageType == wire.MessageText {
			out = append(out, string(x.Content))
		}
	}
	return out
}

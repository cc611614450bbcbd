package im_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/im/imtest"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// Friends across servers (ask, accept by peer, refuse by id, delete), a
// refused request parked in the outbox then retried and dropped, the
// white/black lists and the directory: each command in JSON.
func TestFriendsOutboxPolicyDir(t *testing.T) {
	w := newWorld(t)
	first, second := w.first, w.second
	im(t, first, "user", "add", "alice", "--name", "Alice").Expect(t, 0)
	im(t, second, "user", "add", "bob", "--name", "Bob").Expect(t, 0)
	im(t, second, "user", "add", "carol", "--name", "Carol", "--verify-type", "1").Expect(t, 0)

	// alice asks bob; bob accepts, named by peer rather than id.
	var req imstore.FriendRequest
	imJSON(t, first, &req, "friend", "add", "bob@second", "--user", "alice", "--remark", "hi bob")
	if req.Direction != imstore.Outgoing || req.User != "alice" || req.Peer != "bob@second" || req.State != imstore.RequestPending || req.Remark != "hi bob" {
		t.Fatalf("friend add: %+v", req)
	}
	imtest.Eventually(t, "the request at second", func() bool {
		var reqs []imstore.FriendRequest
		imJSON(t, second, &reqs, "friend", "requests", "bob", "--state", "pending")
		return len(reqs) == 1 && reqs[0].Direction == imstore.Incoming && reqs[0].Peer == "alice@first"
	})
	imJSON(t, second, &req, "friend", "accept", "--user", "bob", "--peer", "alice@first")
	if req.State != imstore.RequestAccepted || req.DecidedAt.IsZero() {
		t.Errorf("accept: %+v", req)
	}
	var friends []imstore.Friend
	imJSON(t, second, &friends, "friend", "list", "bob")
	if len(friends) != 1 || friends[0].Peer != "alice@first" {
		t.Errorf("bob's friends: %+v", friends)
	}
	imtest.Eventually(t, "the friendship at first", func() bool {
		imJSON(t, first, &friends, "friend", "list", "alice")
		return len(friends) == 1 && friends[0].Peer == "bob@second"
	})

	// alice ends it, on both sides.
	var del struct {
		User, Peer string
		Existed    bool
	}
	imJSON(t, first, &del, "friend", "delete", "bob@second", "--user", "alice")
	if !del.Existed || del.User != "alice" || del.Peer != "bob@second" {
		t.Errorf("delete: %+v", del)
	}
	imJSON(t, first, &del, "friend", "delete", "bob@second", "--user", "alice")
	if del.Existed {
		t.Errorf("second delete: %+v", del)
	}
	imtest.Eventually(t, "the deletion at second", func() bool {
		imJSON(t, second, &friends, "friend", "list", "bob")
		return len(friends) == 0
	})

	// bob asks alice; alice refuses by request id.
	imJSON(t, second, &req, "friend", "add", "alice@first", "--user", "bob")
	var reqs []imstore.FriendRequest
	imtest.Eventually(t, "bob's request at first", func() bool {
		imJSON(t, first, &reqs, "friend", "requests", "alice", "--state", "pending")
		return len(reqs) == 1
	})
	imJSON(t, first, &req, "friend", "refuse", strconv.FormatUint(reqs[0].ID, 10))
	if req.State != imstore.RequestRefused || req.Peer != "bob@second" {
		t.Errorf("refuse: %+v", req)
	}
	imtest.Eventually(t, "the refusal at second", func() bool {
		imJSON(t, second, &reqs, "friend", "requests", "bob")
		return len(reqs) == 2 && reqs[1].State == imstore.RequestRefused
	})

	// carol accepts nobody: second refuses, first parks the call.
	imJSON(t, first, &req, "friend", "add", "carol@second", "--user", "alice")
	var items []imstore.OutboxItem
	imtest.Eventually(t, "the parked request", func() bool {
		imJSON(t, first, &items, "outbox", "--state", "parked")
		return len(items) == 1
	})
	parked := items[0]
	if parked.Destination != "second" || parked.Path != "/sns/add/users" || !strings.Contains(parked.LastError, "verify_refused") ||
		parked.Reason != "verify_refused" || parked.Retry != imstore.RetryManual {
		t.Errorf("parked: %+v", parked)
	}
	// The table says why, and that nothing but a person brings it back.
	if res := im(t, first, "outbox", "--state", "parked"); !strings.Contains(res.Stdout, "manual (verify_refused): retry or drop") {
		t.Errorf("the table does not say why and how it is retried:\n%s", res.Stdout)
	}
	imJSON(t, first, &items, "outbox", "--destination", "second", "--state", "delivered")
	if len(items) == 0 {
		t.Error("no delivered history")
	}
	var st adminapi.Status
	imJSON(t, first, &st, "status")
	if len(st.Outbox) != 1 || st.Outbox[0].Destination != "second" || st.Outbox[0].Parked != 1 {
		t.Errorf("status outbox: %+v", st.Outbox)
	}
	id := strconv.FormatUint(parked.ID, 10)
	var n adminapi.Count
	imJSON(t, first, &n, "outbox", "retry", id)
	if n.Count != 1 {
		t.Errorf("retry: %+v", n)
	}
	imtest.Eventually(t, "parked again", func() bool {
		imJSON(t, first, &items, "outbox", "--state", "parked")
		return len(items) == 1 && items[0].Attempts > parked.Attempts
	})
	imJSON(t, first, &n, "outbox", "retry", "--destination", "second")
	if n.Count != 1 {
		t.Errorf("retry destination: %+v", n)
	}
	res := im(t, first, "outbox", "drop", id)
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "--yes") {
		t.Errorf("drop without --yes: %s", res.Stderr)
	}
	var dropped imstore.OutboxItem
	imJSON(t, first, &dropped, "outbox", "drop", id, "--yes")
	if dropped.ID != parked.ID {
		t.Errorf("drop: %+v", dropped)
	}
	imJSON(t, first, &items, "outbox", "--state", "parked")
	if len(items) != 0 {
		t.Errorf("after drop: %+v", items)
	}
	res = im(t, first, "outbox", "drop", id, "--yes")
	res.Expect(t, 7)

	// The lists: add, add again (no duplicate), remove, replace.
	var p imstore.Policy
	imJSON(t, first, &p, "policy", "show")
	if len(p.Allow) != 0 || len(p.Deny) != 0 {
		t.Errorf("initial policy: %+v", p)
	}
	imJSON(t, first, &p, "policy", "deny", "rogue", "other")
	imJSON(t, first, &p, "policy", "deny", "rogue")
	if strings.Join(p.Deny, ",") != "other,rogue" || len(p.Allow) != 0 { // kept sorted
		t.Errorf("deny: %+v", p)
	}
	imJSON(t, first, &p, "policy", "deny", "rogue", "--remove")
	imJSON(t, first, &p, "policy", "allow", "second")
	if strings.Join(p.Deny, ",") != "other" || strings.Join(p.Allow, ",") != "second" || p.UpdatedAt.IsZero() {
		t.Errorf("allow: %+v", p)
	}
	res = im(t, first, "policy", "show")
	res.Expect(t, 0)
	if !strings.HasPrefix(res.Stdout, "Allow:     second\nDeny:      other\nUpdated:   ") {
		t.Errorf("policy table:\n%s", res.Stdout)
	}
	imJSON(t, first, &p, "policy", "set", "--deny", "x,y")
	if len(p.Allow) != 0 || strings.Join(p.Deny, ",") != "x,y" {
		t.Errorf("set: %+v", p)
	}
	imJSON(t, first, &p, "policy", "set")
	if len(p.Allow) != 0 || len(p.Deny) != 0 {
		t.Errorf("set nothing: %+v", p)
	}

	var dir []imstore.DirEntry
	imJSON(t, first, &dir, "dir", "list")
	ids := map[string]string{}
	for _, e := range dir {
		ids[e.ServerID] = e.Address
	}
	if ids["first"] != first.URL || ids["second"] != second.URL {
		t.Errorf("dir list: %+v", dir)
	}
	res = im(t, first, "dir", "refresh", "-o", "json")
	res.Expect(t, 0)
	if !regexp.MustCompile(`^\{\n  "count": \d+\n\}\n$`).MatchString(res.Stdout) {
		t.Errorf("dir refresh: %q", res.Stdout)
	}
}

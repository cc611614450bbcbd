package imserver

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// friendState is everything the friend interfaces can change.
func friendState(t *testing.T, ts *testServer, users ...string) string {
	t.Helper()
	var b strings.Builder
	for _, u := range users {
		reqs, err := ts.st.FriendRequests(u, "")
		if err != nil {
			t.Fatal(err)
		}
		friends, err := ts.st.Friends(u)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reqs {
			b.WriteString(string(r.Direction) + " " + r.User + " " + r.Peer + " " + string(r.State) + "\n")
		}
		for _, f := range friends {
			b.WriteString("friend " + f.Owner + " " + f.Peer + "\n")
		}
	}
	return b.String()
}

func TestFriendInterfaces(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	ctx := context.Background()
	p := beta.peer()
	u1 := wire.UserInfo{UserID: "u1@alpha-im", Name: "U One", PhoneNumber: "13800000001"}

	// S5: u1 asks bob; bob's side records a pending request, no friend yet.
	if err := alpha.client.AddFriend(ctx, p, wire.AddFriendRequest{UserID: "bob@beta-im", Remark: "hello", OwnerID: "u1@alpha-im", UserInfo: u1}); err != nil {
		t.Fatal(err)
	}
	reqs, _ := beta.st.FriendRequests("bob", imstore.RequestPending)
	if len(reqs) != 1 || reqs[0].Peer != "u1@alpha-im" || reqs[0].Remark != "hello" || reqs[0].Requester.Name != "U One" {
		t.Fatalf("incoming requests: %+v", reqs)
	}
	if ok, _ := beta.st.IsFriend("bob", "u1@alpha-im"); ok {
		t.Fatal("a friend before agreeing")
	}
	// Bob accepts: his side now has u1; the answer (S6) goes to alpha.
	if _, err := beta.RespondFriend(reqs[0].ID, true); err != nil {
		t.Fatal(err)
	}
	eventually(t, "S6 delivered to alpha", func() bool {
		for _, r := range alpha.peer.Requests() {
			if r.Path == "/sns/rsp/users" && strings.Contains(string(r.Body), `"isAgree":1`) && strings.Contains(string(r.Body), `"ownerID":"bob@beta-im"`) {
				return true
			}
		}
		return false
	})
	if isf, err := alpha.client.IsFriend(ctx, p, "bob@beta-im", "u1@alpha-im"); err != nil || isf != wire.Yes {
		t.Errorf("S9 after accepting: %d %v", isf, err)
	}

	// Bob asks u2; u2 answers no (S6): nothing changes but the request.
	if _, err := beta.AddFriend("bob", "u2@alpha-im", "hi"); err != nil {
		t.Fatal(err)
	}
	if err := alpha.client.RespondFriend(ctx, p, wire.RespondFriendRequest{UserID: "bob@beta-im", IsAgree: wire.No, OwnerID: "u2@alpha-im"}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := beta.st.IsFriend("bob", "u2@alpha-im"); ok {
		t.Error("refused, yet a friend")
	}
	// A retried answer succeeds; a different one is a conflict.
	if err := alpha.client.RespondFriend(ctx, p, wire.RespondFriendRequest{UserID: "bob@beta-im", IsAgree: wire.No, OwnerID: "u2@alpha-im"}); err != nil {
		t.Errorf("retried answer: %v", err)
	}
	err := alpha.client.RespondFriend(ctx, p, wire.RespondFriendRequest{UserID: "bob@beta-im", IsAgree: wire.Yes, OwnerID: "u2@alpha-im"})
	apiErr(t, "changed answer", err, 409, ReasonConflict)

	// S7: u1 ends the friendship; bob loses u1 too. Repeating it succeeds.
	for range 2 {
		if err := alpha.client.DelFriend(ctx, p, wire.DelFriendRequest{UserID: "bob@beta-im", OwnerID: "u1@alpha-im"}); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _ := beta.st.IsFriend("bob", "u1@alpha-im"); ok {
		t.Error("still a friend after S7")
	}
}

// Each refused friend call leaves every request and friendship as it was.
func TestFriendRefusals(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	beta.addUser(t, imstore.User{UserID: "nobody-adds-me", Name: "Hermit", VerifyType: imstore.VerifyNobody})
	ctx := context.Background()
	before := friendState(t, beta, "bob", "nobody-adds-me")
	big := `{"userID":"bob@beta-im","ownerID":"u1@alpha-im","remark":"` + strings.Repeat("x", DefaultMaxRequestBody) + `"}`
	for _, tc := range []struct {
		name, path, body string
		status           int
		reason           string
	}{
		{"verifyType 1", "add/users", `{"userID":"nobody-adds-me@beta-im","ownerID":"u1@alpha-im","userInfo":{"name":"U"}}`, 403, ReasonVerifyRefused},
		{"owner of another server", "add/users", `{"userID":"bob@beta-im","ownerID":"u1@gamma-im"}`, 403, ReasonWrongSender},
		{"target not local", "add/users", `{"userID":"bob@gamma-im","ownerID":"u1@alpha-im"}`, 400, ReasonNotLocal},
		{"unknown target", "add/users", `{"userID":"zed@beta-im","ownerID":"u1@alpha-im"}`, 404, ReasonUnknownUser},
		{"ids in neither form", "add/users", `{"userID":"bob","ownerID":"u1"}`, 400, ReasonBadRequest},
		{"userInfo of someone else", "add/users", `{"userID":"bob@beta-im","ownerID":"u1@alpha-im","userInfo":{"userID":"u9@alpha-im"}}`, 400, ReasonBadRequest},
		{"malformed body", "add/users", `{"userID":"bob@beta-im",`, 400, ReasonBadRequest},
		{"not an object", "add/users", `["bob@beta-im"]`, 400, ReasonBadRequest},
		{"field twice", "add/users", `{"userID":"bob@beta-im","userid":"bob@beta-im","ownerID":"u1@alpha-im"}`, 400, ReasonBadRequest},
		{"answer nobody asked", "rsp/users", `{"userID":"bob@beta-im","isAgree":1,"ownerID":"u1@alpha-im"}`, 404, ReasonNoRequest},
		{"bad isAgree", "rsp/users", `{"userID":"bob@beta-im","isAgree":3,"ownerID":"u1@alpha-im"}`, 400, ReasonBadRequest},
		{"delete for another server's user", "del/users", `{"userID":"bob@beta-im","ownerID":"u1@gamma-im"}`, 403, ReasonWrongSender},
	} {
		_, err := alpha.client.Call(ctx, beta.peer(), http.MethodPost, tc.path, []byte(tc.body))
		apiErr(t, tc.name, err, tc.status, tc.reason)
	}
	_, err := alpha.client.Call(ctx, beta.peer(), http.MethodPost, "add/users", []byte(big))
	authErr(t, "oversize body", err, httpsig.ReasonBodyTooLarge)
	if after := friendState(t, beta, "bob", "nobody-adds-me"); after != before {
		t.Errorf("refused calls changed the state:\n%s\nwas\n%s", after, before)
	}
}

// Servers that are not registered, suspended, or on the black list are
// refused before any handler runs, with their reason.
func TestCallersRefused(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	gamma := w.caller(t, "gamma-im", httpsig.StatusNormal, false)
	delta := w.caller(t, "delta-im", httpsig.StatusSuspended, true)
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	if _, err := beta.SetPolicy(nil, []string{"alpha-im"}); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"userID":"bob@beta-im","ownerID":"u1@x","userInfo":{"name":"U"}}`)
	for _, tc := range []struct {
		c      *caller
		reason httpsig.Reason
	}{{gamma, httpsig.ReasonUnknownServer}, {delta, httpsig.ReasonServerSuspended}, {alpha, httpsig.ReasonForbiddenByPolicy}} {
		_, err := tc.c.client.Call(context.Background(), beta.peer(), http.MethodPost, "add/users", []byte(strings.Replace(string(body), "@x", "@"+tc.c.id.ID, 1)))
		authErr(t, tc.c.id.ID, err, tc.reason)
	}
	if s := friendState(t, beta, "bob"); s != "" {
		t.Errorf("refused callers changed the state: %s", s)
	}
	// Off the black list, alpha is let in at once.
	if _, err := beta.SetPolicy(nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := alpha.client.VerifyUser(context.Background(), beta.peer(), "bob@beta-im"); err != nil {
		t.Errorf("after the black list was emptied: %v", err)
	}
}

package imserver

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

func adminOf(t *testing.T, ts *testServer) *adminclient.Client {
	c := adminclient.New(SocketPath(ts.dataDir))
	t.Cleanup(func() { c.Close() })
	return c
}

// The whole admin surface, as `imictl im` uses it, across two servers.
func TestAdminAPI(t *testing.T) {
	w := newWorld(t)
	alphaSrv, betaSrv := w.server(t, "alpha-im"), w.server(t, "beta-im")
	alpha, beta := adminOf(t, alphaSrv), adminOf(t, betaSrv)
	ctx := context.Background()

	fi, err := os.Stat(SocketPath(alphaSrv.dataDir))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("admin socket: %v %v, want mode 0600", fi.Mode(), err)
	}
	st, err := alpha.Status(ctx)
	if err != nil || st.ServerID != "alpha-im" || st.Address != alphaSrv.url || st.Users != 0 {
		t.Errorf("status: %+v %v", st, err)
	}
	if _, err := alpha.AddUser(ctx, adminapi.NewUser{UserID: "alice", Name: "Alice", PhoneNumber: "13500001111"}); err != nil {
		t.Fatal(err)
	}
	if _, err := beta.AddUser(ctx, adminapi.NewUser{UserID: "bob", Name: "Bob Smith"}); err != nil {
		t.Fatal(err)
	}
	_, err = alpha.AddUser(ctx, adminapi.NewUser{UserID: "alice", Name: "Again"})
	adminErr(t, "duplicate user", err, 409, "conflict", imstore.ErrExists)
	if users, err := alpha.Users(ctx); err != nil || len(users) != 1 || users[0].VerifyType != imstore.VerifyAnyone {
		t.Errorf("users: %+v %v", users, err)
	}

	// Other servers, queried as alpha.
	found, err := alpha.FindUsers(ctx, "beta-im", "smith")
	if err != nil || len(found) != 1 || found[0].UserID != "bob@beta-im" {
		t.Errorf("find: %+v %v", found, err)
	}
	if vt, err := alpha.VerifyUser(ctx, "bob@beta-im"); err != nil || vt != wire.VerifyAnyone {
		t.Errorf("verify: %d %v", vt, err)
	}
	if u, err := alpha.RemoteUser(ctx, "bob@beta-im"); err != nil || u.Name != "Bob Smith" {
		t.Errorf("remote user: %+v %v", u, err)
	}
	_, err = alpha.RemoteUser(ctx, "nobody@beta-im")
	adminErr(t, "remote unknown user", err, 404, ReasonUnknownUser, imstore.ErrNotFound)

	// Friends.
	if _, err := alpha.AddFriend(ctx, "alice", "bob@beta-im", "colleague"); err != nil {
		t.Fatal(err)
	}
	var reqs []imstore.FriendRequest
	eventually(t, "the request at bob", func() bool {
		reqs, _ = beta.FriendRequests(ctx, "bob", imstore.RequestPending)
		return len(reqs) == 1
	})
	if _, err := beta.AnswerFriend(ctx, reqs[0].ID, true); err != nil {
		t.Fatal(err)
	}
	eventually(t, "friends on both sides", func() bool {
		fs, _ := alpha.Friends(ctx, "alice")
		return len(fs) == 1
	})
	if ok, err := alpha.IsFriend(ctx, "bob@beta-im", "alice"); err != nil || !ok {
		t.Errorf("is friend: %v %v", ok, err)
	}

	// Messages, a file both ways through the socket, a repeal.
	if _, err := alpha.SendText(ctx, "alice", "bob@beta-im", "hi bob"); err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("0123456789"), 10000)
	sent, err := alpha.SendFile(ctx, "alice", "bob@beta-im", "voice", "hello.amr", bytes.NewReader(content), 3)
	if err != nil {
		t.Fatal(err)
	}
	var in []imstore.InboxMessage
	eventually(t, "two messages at bob", func() bool {
		in, _ = beta.Inbox(ctx, "bob", 0, 0)
		return len(in) == 2
	})
	if in[1].MessageType != "voice" || !strings.Contains(string(in[1].Content), `"duration":"3"`) {
		t.Errorf("voice message: %s", in[1].Content)
	}
	var got bytes.Buffer
	info, err := beta.FetchFile(ctx, "bob", sent.MessageID, &got)
	// A voice message carries no name (§6.2.5): the receiver has none.
	if err != nil || !bytes.Equal(got.Bytes(), content) || info.Name != "" || info.FileID != sent.FileID {
		t.Errorf("fetch: %+v %d bytes %v", info, got.Len(), err)
	}
	if page, err := beta.Inbox(ctx, "bob", in[0].Seq, 1); err != nil || len(page) != 1 || page[0].MessageID != sent.MessageID {
		t.Errorf("inbox page: %+v %v", page, err)
	}
	if _, err := alpha.Repeal(ctx, "alice", sent.MessageID); err != nil {
		t.Fatal(err)
	}
	if s, err := alpha.Sent(ctx, "alice", 0, 0); err != nil || len(s) != 2 || !s[1].Revoked {
		t.Errorf("sent: %+v %v", s, err)
	}
	_, err = beta.FetchFile(ctx, "bob", "nope@alpha-im", &got)
	adminErr(t, "fetch of an unknown message", err, 404, ReasonNotFound, imstore.ErrNotFound)
	_, err = alpha.Send(ctx, adminapi.SendRequest{From: "alice", To: "bob@beta-im", MessageType: "sticker"})
	adminErr(t, "unknown message type", err, 400, ReasonBadRequest, imstore.ErrInvalid)

	// The outbox, the policy, the directory.
	eventually(t, "delivered", func() bool {
		items, _ := alpha.Outbox(ctx, imstore.OutboxFilter{State: imstore.OutboxDelivered})
		return len(items) == 4 // S5, two messages, the repeal
	})
	p, err := alpha.SetPolicy(ctx, nil, []string{"gamma-im", "delta-im"})
	if err != nil || !slices.Equal(p.Deny, []string{"delta-im", "gamma-im"}) {
		t.Errorf("set policy: %+v %v", p, err)
	}
	_, err = alpha.SetPolicy(ctx, []string{"x-im"}, []string{"x-im"})
	adminErr(t, "contradictory policy", err, 400, ReasonBadRequest, imstore.ErrInvalid)
	mgmtID := alphaSrv.cfg.MgmtServerID
	_, err = alpha.SetPolicy(ctx, nil, []string{mgmtID})
	adminErr(t, "denying the management server", err, 400, ReasonBadRequest, imstore.ErrInvalid)
	if p, err := alpha.Policy(ctx); err != nil || len(p.Deny) != 2 {
		t.Errorf("policy: %+v %v", p, err)
	}
	// A white list of peers that leaves the management server out still
	// lets the directory through: the management server is always allowed.
	if _, err := alpha.SetPolicy(ctx, []string{"beta-im"}, []string{"gamma-im", "delta-im"}); err != nil {
		t.Fatal(err)
	}
	if !alphaSrv.policy.Allowed(mgmtID) {
		t.Errorf("a white list without %s denies the management server", mgmtID)
	}
	if _, err := alpha.RefreshDirectory(ctx); err != nil {
		t.Errorf("directory refresh under a white list of peers: %v", err)
	}
	dir, err := alpha.Directory(ctx)
	if err != nil || !slices.ContainsFunc(dir, func(e imstore.DirEntry) bool { return e.ServerID == "beta-im" && e.Address == betaSrv.url }) {
		t.Errorf("directory: %+v %v", dir, err)
	}
	_, err = alpha.DropOutbox(ctx, 999)
	adminErr(t, "drop an unknown item", err, 404, ReasonNotFound, imstore.ErrNotFound)
	before, err := alpha.Outbox(ctx, imstore.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	err = alpha.RetryOutbox(ctx, 0) // neither an item nor a destination
	adminErr(t, "retry of nothing named", err, 400, ReasonBadRequest, imstore.ErrInvalid)
	if err == nil || !strings.Contains(err.Error(), "name an outbox item or a destination to retry") {
		t.Errorf("retry of nothing named: %v, want it to say what to name", err)
	}
	if after, err := alpha.Outbox(ctx, imstore.OutboxFilter{}); err != nil || !reflect.DeepEqual(after, before) {
		t.Errorf("retry of nothing named changed the outbox: %+v %v, was %+v", after, err, before)
	}

	alphaSrv.stopOnce()
	if _, err := alpha.Status(ctx); !errors.Is(err, adminclient.ErrNotRunning) {
		t.Errorf("stopped server: %v", err)
	}
}

// A blacklisted peer is refused when sending, and S2 downloads follow.
func TestAdminRemoteRefusal(t *testing.T) {
	w := newWorld(t)
	alphaSrv, betaSrv := w.server(t, "alpha-im"), w.server(t, "beta-im")
	alpha := adminOf(t, alphaSrv)
	ctx := context.Background()
	if _, err := betaSrv.SetPolicy(nil, []string{"alpha-im"}); err != nil {
		t.Fatal(err)
	}
	_, err := alpha.FindUsers(ctx, "beta-im", "x")
	adminErr(t, "refused by the peer", err, 403, string(httpsig.ReasonForbiddenByPolicy), nil)
}

func adminErr(t *testing.T, what string, err error, status int, reason string, kind error) {
	t.Helper()
	var e *adminclient.Error
	if !errors.As(err, &e) || e.Status != status || e.Reason != reason || (kind != nil && !errors.Is(err, kind)) {
		t.Errorf("%s: got %v (%+v), want HTTP %d reason %q matching %v", what, err, e, status, reason, kind)
	}
}

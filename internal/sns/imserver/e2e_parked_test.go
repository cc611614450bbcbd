package imserver_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// Parked calls whose condition ends come back by themselves, with real
// servers: a message to a suspended peer is delivered once the peer is
// resumed (M3), one to a server not registered yet once it registers; a
// refusal that cannot change (an unknown user) stays parked through both.
func TestParkedCallsRetriedWhenTheDirectoryShowsTheConditionGone(t *testing.T) {
	ctx := context.Background()
	e := startMgmt(t)
	alpha, beta := e.register("alpha-im"), e.register("beta-im")
	e.start(alpha)
	e.start(beta)
	must(alpha.admin.AddUser(ctx, adminapi.NewUser{UserID: "alice", Name: "Alice"}))(t)
	must(beta.admin.AddUser(ctx, adminapi.NewUser{UserID: "bob", Name: "Bob"}))(t)

	parked := func(dest string) []imstore.OutboxItem {
		return must(alpha.admin.Outbox(ctx, imstore.OutboxFilter{Destination: dest, State: imstore.OutboxParked}))(t)
	}
	parkedFor := func(what, dest, reason string, retry imstore.ParkRetry) imstore.OutboxItem {
		t.Helper()
		var items []imstore.OutboxItem
		eventually(t, what, func() bool { items = parked(dest); return len(items) > 0 })
		if it := items[len(items)-1]; it.Reason != reason || it.Retry != retry {
			t.Fatalf("%s: parked as %q, retry %q; want %q, %q (%s)", what, it.Reason, it.Retry, reason, retry, it.LastError)
		}
		return items[len(items)-1]
	}

	// A refusal that cannot change: beta has no user zed.
	must(alpha.admin.SendText(ctx, "alice", "zed@beta-im", "nobody reads this"))(t)
	zed := parkedFor("the message to zed parked", "beta-im", imserver.ReasonUnknownUser, imstore.RetryManual)

	// beta suspended: alpha learns it from M3 and parks what it cannot send.
	must(e.mgmt.Service().Suspend(ctx, "beta-im", "admin:e2e"))(t)
	eventually(t, "alpha's directory to show beta suspended", func() bool {
		i := slices.IndexFunc(must(alpha.admin.Directory(ctx))(t), func(d imstore.DirEntry) bool { return d.ServerID == "beta-im" })
		return i >= 0 && must(alpha.admin.Directory(ctx))(t)[i].Status == httpsig.StatusSuspended
	})
	must(alpha.admin.SendText(ctx, "alice", "bob@beta-im", "sent while suspended"))(t)
	eventually(t, "two parked for beta", func() bool { return len(parked("beta-im")) == 2 })
	if it := parked("beta-im")[1]; it.Reason != string(httpsig.ReasonServerSuspended) || it.Retry != imstore.RetryAutomatic {
		t.Fatalf("the message to a suspended peer: parked as %q, retry %q (%s)", it.Reason, it.Retry, it.LastError)
	}

	// gamma is not registered yet.
	must(alpha.admin.SendText(ctx, "alice", "carol@gamma-im", "before you existed"))(t)
	parkedFor("the message to gamma parked", "gamma-im", string(httpsig.ReasonUnknownServer), imstore.RetryAutomatic)

	// Resumed: delivered without anyone retrying it.
	must(e.mgmt.Service().Resume(ctx, "beta-im", "admin:e2e"))(t)
	eventually(t, "the parked message at bob", func() bool {
		return slices.Equal(textsOf(t, beta, "bob"), []string{"sent while suspended"})
	})

	// gamma registers (its store already has carol) and starts: delivered.
	gamma := e.register("gamma-im")
	seedUser(t, gamma, imstore.User{UserID: "carol", Name: "Carol"})
	e.start(gamma)
	eventually(t, "the parked message at carol", func() bool {
		return slices.Equal(textsOf(t, gamma, "carol"), []string{"before you existed"})
	})

	// The message to zed went through both triggers and is still parked.
	items := parked("beta-im")
	if len(items) != 1 || items[0].ID != zed.ID || items[0].Retry != imstore.RetryManual || items[0].Attempts != zed.Attempts {
		t.Errorf("the refusal that cannot change: %+v, want item %d parked as before (%d attempts)", items, zed.ID, zed.Attempts)
	}
}

// seedUser writes a user into a stopped server's store.
func seedUser(t *testing.T, s *imServer, u imstore.User) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(imserver.DBPath(s.dataDir)), 0o700); err != nil {
		t.Fatal(err)
	}
	st := must(imstore.Open(imserver.DBPath(s.dataDir), imstore.Options{}))(t)
	defer st.Close()
	must(st.AddUser(u))(t)
}

package imserver

import (
	"context"
	"net/http"
	"testing"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// receivenotify from the management server makes the server fetch the
// changed record at once; from anyone else it is refused.
func TestReceiveNotify(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	// As below: beta's own first directory query is behind us.
	eventually(t, "beta's first directory refresh", func() bool { return !beta.dir.lastSync().IsZero() })
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	ctx := context.Background()
	if _, err := alpha.client.VerifyUser(ctx, beta.peer(), "bob@beta-im"); err != nil {
		t.Fatal(err)
	}
	mgmt := w.client(t, w.mgmt.Self.Signer, nil)
	notify := []byte(`{"serverId":"alpha-im"}`)

	// alpha is suspended: its record is cached, so calls pass until told.
	w.mgmt.Register(alpha.id, alpha.peer.URL, httpsig.StatusSuspended)
	if _, err := alpha.client.VerifyUser(ctx, beta.peer(), "bob@beta-im"); err != nil {
		t.Fatalf("before the notification: %v", err)
	}
	_, err := alpha.client.Call(ctx, beta.peer(), http.MethodPost, receiveNotifyPath, notify)
	apiErr(t, "notification from a peer", err, 403, ReasonWrongSender)

	raw, err := mgmt.Call(ctx, beta.peer(), http.MethodPost, receiveNotifyPath, notify)
	if err != nil || string(raw.Body) != `{"code":"0","desc":"OK"}` {
		t.Fatalf("notification: %v %v", raw, err)
	}
	eventually(t, "alpha refused as suspended", func() bool {
		_, err := alpha.client.VerifyUser(ctx, beta.peer(), "bob@beta-im")
		return err != nil
	})
	_, err = alpha.client.VerifyUser(ctx, beta.peer(), "bob@beta-im")
	authErr(t, "suspended", err, httpsig.ReasonServerSuspended)
	e, err := beta.st.GetDirEntry("alpha-im")
	if err != nil || e.Status != httpsig.StatusSuspended {
		t.Errorf("cached record: %+v %v", e, err)
	}
	_, err = mgmt.Call(ctx, beta.peer(), http.MethodPost, receiveNotifyPath, []byte(`{"serverId":"not a server id"}`))
	apiErr(t, "bad notification", err, 400, ReasonBadRequest)
}

// A certificate is kept with its record until the record changes: a
// server that rotated its key is refused (signature_invalid, checked
// against the certificate held) until the notification of the change
// makes the record, and with it the certificate (M2), be fetched again;
// the old key is refused from then on (docs/PROTOCOL.md 3.8).
func TestNotificationRefetchesTheCertificate(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	// beta's first directory query at start must be behind us: one that
	// ran after alpha's first call would store alpha's record again,
	// without its certificate, and the next call would fetch the new one.
	eventually(t, "beta's first directory refresh", func() bool { return !beta.dir.lastSync().IsZero() })
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	ctx := context.Background()
	if _, err := alpha.client.VerifyUser(ctx, beta.peer(), "bob@beta-im"); err != nil {
		t.Fatal(err)
	}
	rotated := w.caller(t, "alpha-im", httpsig.StatusNormal, true) // a new key and certificate, now in the directory
	_, err := rotated.client.VerifyUser(ctx, beta.peer(), "bob@beta-im")
	authErr(t, "new key before the notification", err, httpsig.ReasonSignatureInvalid)

	mgmt := w.client(t, w.mgmt.Self.Signer, nil)
	if _, err := mgmt.Call(ctx, beta.peer(), http.MethodPost, receiveNotifyPath, []byte(`{"serverId":"alpha-im"}`)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new key accepted", func() bool {
		_, err := rotated.client.VerifyUser(ctx, beta.peer(), "bob@beta-im")
		return err == nil
	})
	_, err = alpha.client.VerifyUser(ctx, beta.peer(), "bob@beta-im")
	authErr(t, "old key after the notification", err, httpsig.ReasonSignatureInvalid)
}

package imserver

import (
	"context"
	"net/http"
	"testing"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// A messageID sent again with other content keeps the first version and is
// refused with duplicate_conflict, counted; the same message again is
// still a plain success.
func TestChatDuplicateConflict(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	ctx := context.Background()
	post := func(body []byte) error {
		_, err := alpha.client.Call(ctx, beta.peer(), http.MethodPost, "chat", body)
		return err
	}
	first := chatBody("u1@alpha-im", "bob@beta-im", "text", "m1@alpha-im", "", `{"message":"first"}`)
	for range 2 {
		if err := post(first); err != nil {
			t.Fatalf("the message and its identical retry: %v", err)
		}
	}
	for _, tc := range []struct{ name, sender, content string }{
		{"other content", "u1@alpha-im", `{"message":"second"}`},
		{"other sender", "u2@alpha-im", `{"message":"first"}`},
	} {
		err := post(chatBody(tc.sender, "bob@beta-im", "text", "m1@alpha-im", "", tc.content))
		apiErr(t, tc.name, err, http.StatusConflict, ReasonDuplicateConflict)
	}
	msgs := inbox(t, beta, "bob")
	if len(msgs) != 1 || string(msgs[0].Content) != `{"message":"first"}` || msgs[0].From != "u1@alpha-im" {
		t.Errorf("the first version is not what is kept: %+v", msgs)
	}
	if n := beta.duplicateConflicts.Load(); n != 2 {
		t.Errorf("%d conflicts counted, want 2", n)
	}
	if err := post(first); err != nil {
		t.Errorf("an identical retry after a conflict: %v", err)
	}
}

// A repeal that would change nothing is refused: a message never delivered
// to that recipient is not_found, another sender's is wrong_sender.
func TestChatRepealRefusals(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	beta.addUser(t, imstore.User{UserID: "carol", Name: "Carol"})
	ctx := context.Background()
	post := func(body []byte) error {
		_, err := alpha.client.Call(ctx, beta.peer(), http.MethodPost, "chat", body)
		return err
	}
	if err := post(chatBody("u1@alpha-im", "bob@beta-im", "text", "m1@alpha-im", "", `{"message":"kept"}`)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		reason string
	}{
		{"never sent", chatBody("u1@alpha-im", "bob@beta-im", "repeal", "m9@alpha-im", "", `{}`), 404, ReasonNotFound},
		{"sent to another user", chatBody("u1@alpha-im", "carol@beta-im", "repeal", "m1@alpha-im", "", `{}`), 404, ReasonNotFound},
		{"sent by another user", chatBody("u2@alpha-im", "bob@beta-im", "repeal", "m1@alpha-im", "", `{}`), 403, ReasonWrongSender},
	} {
		apiErr(t, tc.name, post(tc.body), tc.status, tc.reason)
	}
	if m, _ := beta.st.InboxMessageByID("bob", "m1@alpha-im"); m.Revoked {
		t.Error("a refused repeal revoked the message")
	}
	if _, ok, _ := beta.st.GetRepeal("m9@alpha-im"); ok {
		t.Error("a refused repeal was remembered")
	}
}

// roundTripFunc is an http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Content-Type is outside the signature (docs/PROTOCOL.md 3.1): a signed S1
// without it is taken like any other.
func TestChatWithoutContentType(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	base := http.DefaultTransport
	c := w.client(t, alpha.id.Signer, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r.Header.Del("Content-Type")
		return base.RoundTrip(r)
	}))
	if _, err := c.Call(context.Background(), beta.peer(), http.MethodPost, "chat", chatBody("u1@alpha-im", "bob@beta-im", "text", "m1@alpha-im", "", `{"message":"plain"}`)); err != nil {
		t.Fatal(err)
	}
	if msgs := inbox(t, beta, "bob"); len(msgs) != 1 {
		t.Errorf("inbox: %+v", msgs)
	}
}

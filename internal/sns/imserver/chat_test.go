package imserver

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

func chatBody(sender, recv, mtype, mid, fileID, content string) []byte {
	return fmt.Appendf(nil, `{"messageInfo":{"senderID":%q,"recvID":%q,"messageType":%q,"version":"v1","type":1,"messageID":%q,"fileID":%q,"content":%s}}`,
		sender, recv, mtype, mid, fileID, content)
}

func inbox(t *testing.T, ts *testServer, user string) []imstore.InboxMessage {
	t.Helper()
	msgs, err := ts.st.Inbox(user, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestChatReceive(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	ctx := context.Background()
	post := func(body []byte) error {
		_, err := alpha.client.Call(ctx, beta.peer(), http.MethodPost, "chat", body)
		return err
	}
	// The source's spellings: "messagetype", "fileID " with a space, sizes as numbers.
	lenientImage := []byte(`{"messageInfo":{"senderID":"u1@alpha-im","recvID":"bob@beta-im","messagetype":"IMAGE","version":"v1","type":"1",` +
		`"messageID":"m2@alpha-im","content":{"size":2048,"name":"a.png","fileID ":"f1@alpha-im","md5":"0123456789abcdef0123456789abcdef"}}}`)
	for _, b := range [][]byte{
		chatBody("u1@alpha-im", "bob@beta-im", "text", "m1@alpha-im", "", `{"message":"hello"}`),
		lenientImage,
		chatBody("u1@alpha-im", "bob@beta-im", "text", "m1@alpha-im", "", `{"message":"hello"}`), // a retry
	} {
		if err := post(b); err != nil {
			t.Fatal(err)
		}
	}
	msgs := inbox(t, beta, "bob")
	if len(msgs) != 2 {
		t.Fatalf("inbox: %d messages, want 2 (the retry stored once)", len(msgs))
	}
	if m := msgs[0]; m.MessageID != "m1@alpha-im" || m.From != "u1@alpha-im" || m.To != "bob@beta-im" || string(m.Content) != `{"message":"hello"}` {
		t.Errorf("text: %+v", m)
	}
	if m := msgs[1]; m.MessageType != wire.MessageImage || m.FileID != "f1@alpha-im" ||
		string(m.Content) != `{"size":"2048","name":"a.png","fileID":"f1@alpha-im","md5":"0123456789abcdef0123456789abcdef"}` {
		t.Errorf("image: %+v %s", m, m.Content)
	}
	// A repeal by the origin revokes; a repeated one succeeds.
	for range 2 {
		if err := post(chatBody("u1@alpha-im", "bob@beta-im", "repeal", "m1@alpha-im", "", `{}`)); err != nil {
			t.Fatal(err)
		}
	}
	if m, _ := beta.st.InboxMessageByID("bob", "m1@alpha-im"); !m.Revoked {
		t.Error("repeal did not revoke")
	}
}

// Each refused message leaves every inbox as it was.
func TestChatRefusals(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	ctx := context.Background()
	if _, err := alpha.client.Call(ctx, beta.peer(), http.MethodPost, "chat", chatBody("u1@alpha-im", "bob@beta-im", "text", "m1@alpha-im", "", `{"message":"kept"}`)); err != nil {
		t.Fatal(err)
	}
	// A message of another server, delivered by it, that alpha will try to revoke.
	if _, _, err := beta.st.DeliverLocal("bob", imstore.Message{MessageID: "g1@gamma-im", From: "u@gamma-im", To: "bob@beta-im", Type: 1, MessageType: "text", Content: []byte(`{"message":"g"}`)}); err != nil {
		t.Fatal(err)
	}
	const md5 = `"md5":"0123456789abcdef0123456789abcdef"`
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		reason string
	}{
		{"malformed", []byte(`{"messageInfo":`), 400, ReasonBadRequest},
		{"no messageInfo", []byte(`{}`), 400, ReasonBadRequest},
		{"unknown message type", chatBody("u1@alpha-im", "bob@beta-im", "sticker", "m9@alpha-im", "", `{}`), 400, ReasonBadRequest},
		{"group message to no group", []byte(strings.Replace(string(chatBody("u1@alpha-im", "bob@beta-im", "text", "m9@alpha-im", "", `{"message":"x"}`)), `"type":1`, `"type":2`, 1)), 404, ReasonUnknownGroup},
		{"bad version", []byte(strings.Replace(string(chatBody("u1@alpha-im", "bob@beta-im", "text", "m9@alpha-im", "", `{"message":"x"}`)), `"v1"`, `"v2"`, 1)), 400, ReasonBadRequest},
		{"sender id in neither form", chatBody("u1", "bob@beta-im", "text", "m9@alpha-im", "", `{"message":"x"}`), 400, ReasonBadRequest},
		{"recipient id in neither form", chatBody("u1@alpha-im", "bob", "text", "m9@alpha-im", "", `{"message":"x"}`), 400, ReasonBadRequest},
		{"recipient not local", chatBody("u1@alpha-im", "bob@gamma-im", "text", "m9@alpha-im", "", `{"message":"x"}`), 400, ReasonNotLocal},
		{"unknown recipient", chatBody("u1@alpha-im", "zed@beta-im", "text", "m9@alpha-im", "", `{"message":"x"}`), 404, ReasonUnknownUser},
		{"sender of another server", chatBody("u1@gamma-im", "bob@beta-im", "text", "m9@alpha-im", "", `{"message":"x"}`), 403, ReasonWrongSender},
		{"messageID of another server", chatBody("u1@alpha-im", "bob@beta-im", "text", "m9@gamma-im", "", `{"message":"x"}`), 403, ReasonWrongSender},
		{"fileID of another server", chatBody("u1@alpha-im", "bob@beta-im", "file", "m9@alpha-im", "f1@gamma-im", `{"size":"3","name":"a",`+md5+`}`), 403, ReasonWrongSender},
		{"fileID path trick", chatBody("u1@alpha-im", "bob@beta-im", "file", "m9@alpha-im", "../../etc/passwd@alpha-im", `{"size":"3","name":"a",`+md5+`}`), 400, ReasonBadRequest},
		{"fileID with a slash", chatBody("u1@alpha-im", "bob@beta-im", "file", "m9@alpha-im", "a/b@alpha-im", `{"size":"3","name":"a",`+md5+`}`), 400, ReasonBadRequest},
		{"media without fileID", chatBody("u1@alpha-im", "bob@beta-im", "file", "m9@alpha-im", "", `{"size":"3","name":"a",`+md5+`}`), 400, ReasonBadRequest},
		{"two fileIDs", chatBody("u1@alpha-im", "bob@beta-im", "file", "m9@alpha-im", "f1@alpha-im", `{"size":"3","fileID":"f2@alpha-im",`+md5+`}`), 400, ReasonBadRequest},
		{"bad md5", chatBody("u1@alpha-im", "bob@beta-im", "image", "m9@alpha-im", "f1@alpha-im", `{"size":"3","md5":"xyz"}`), 400, ReasonBadRequest},
		{"repeal of another server's message", chatBody("u1@alpha-im", "bob@beta-im", "repeal", "g1@gamma-im", "", `{}`), 403, ReasonWrongSender},
	} {
		_, err := alpha.client.Call(ctx, beta.peer(), http.MethodPost, "chat", tc.body)
		apiErr(t, tc.name, err, tc.status, tc.reason)
	}
	msgs := inbox(t, beta, "bob")
	if len(msgs) != 2 || msgs[0].Revoked || msgs[1].Revoked {
		t.Errorf("refused messages changed the inbox: %+v", msgs)
	}
}

// Messages arriving at once (their commits shared) are each acknowledged
// only once stored: after a restart every one is there, once, duplicates
// included; a message for an unknown user is refused alone.
func TestChatConcurrentDeliveriesPersist(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	beta.addUser(t, imstore.User{UserID: "carol", Name: "Carol"})
	type call struct{ to, id string }
	var calls []call
	for i := range 24 {
		calls = append(calls, call{[]string{"bob", "carol"}[i%2], fmt.Sprintf("m%d@alpha-im", i)})
		if i%6 == 0 {
			calls = append(calls, calls[len(calls)-1], call{"zed", fmt.Sprintf("z%d@alpha-im", i)})
		}
	}
	// One call first, so that beta knows alpha (directory, certificate)
	// before the burst: this test is about the store.
	if _, err := alpha.client.User(context.Background(), beta.peer(), "bob@beta-im"); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() {
			_, errs[i] = alpha.client.Call(context.Background(), beta.peer(), http.MethodPost, "chat",
				chatBody("u1@alpha-im", c.to+"@beta-im", "text", c.id, "", `{"message":"x"}`))
		})
	}
	wg.Wait()
	for i, c := range calls {
		if c.to == "zed" {
			apiErr(t, "message to zed", errs[i], http.StatusNotFound, ReasonUnknownUser)
		} else if errs[i] != nil {
			t.Errorf("message %s to %s: %v", c.id, c.to, errs[i])
		}
	}
	beta.stopOnce()
	beta.start(t, w)
	got := map[string]int{}
	for _, u := range []string{"bob", "carol"} {
		for _, m := range inbox(t, beta, u) {
			got[u+" "+m.MessageID]++
		}
	}
	if len(got) != 24 {
		t.Errorf("%d messages stored, want 24", len(got))
	}
	for k, n := range got {
		if n != 1 {
			t.Errorf("%s stored %d times", k, n)
		}
	}
}

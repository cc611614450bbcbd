package sns_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/im/imtest"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// Every S1-S9 command, -o json, against the reference IM server "second"
// run by the real management server: the commands sign as the registered
// server "first" (whose own reference server runs too), and what the
// calls did is read back with `imictl im` on second.
func TestAgainstReferenceServer(t *testing.T) {
	w := imtest.Start(t)
	first, second := w.IM(t, "first"), w.IM(t, "second")
	env := cmdtest.Options{Env: map[string]string{
		identity.EnvKey: first.Key, identity.EnvCert: first.Cert, identity.EnvRoot: first.Root, identity.EnvMgmt: w.Mgmt.URL(),
		identity.ConfigEnv: filepath.Join(t.TempDir(), "none.yaml"),
	}}
	// sns runs `imictl sns ARGS -o json` as first and decodes the answer.
	sns := func(v any, args ...string) {
		t.Helper()
		res := cmdtest.Run(t, env, append(append([]string{"sns"}, args...), "-o", "json")...)
		res.Expect(t, 0)
		if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
			t.Fatalf("sns %v: %v\n%s", args, err, res.Stdout)
		}
	}
	// im runs `imictl im ARGS -o json` on second and decodes the answer.
	im := func(v any, args ...string) {
		t.Helper()
		res := cmdtest.Run(t, cmdtest.Options{}, append(append([]string{"im"}, args...), "-o", "json", "--data-dir", second.DataDir)...)
		res.Expect(t, 0)
		if v != nil {
			if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
				t.Fatalf("im %v: %v\n%s", args, err, res.Stdout)
			}
		}
	}
	type envelope struct {
		Code  int    `json:"code"`
		Error string `json:"error"`
	}
	ok := func(what string, e envelope) {
		t.Helper()
		if e.Code != 0 || e.Error != "" {
			t.Errorf("%s: %+v", what, e)
		}
	}
	im(nil, "user", "add", "bob", "--name", "Bob", "--phone", "13600002222")
	im(nil, "user", "add", "carol", "--name", "Carol", "--verify-type", "1")

	// S3, S4, S8: users.
	var found struct {
		envelope
		Users []struct{ UserID, Name, PhoneNumber string }
	}
	sns(&found, "find-users", "0000222", "--to", "second")
	ok("find-users", found.envelope)
	if len(found.Users) != 1 || found.Users[0].UserID != "bob@second" || found.Users[0].Name != "Bob" {
		t.Errorf("find-users: %+v", found)
	}
	var verify struct {
		envelope
		VerifyType int `json:"verifyType"`
	}
	sns(&verify, "verify-user", "carol@second")
	ok("verify-user", verify.envelope)
	if verify.VerifyType != 1 {
		t.Errorf("verify-user carol: %+v", verify)
	}
	var user struct {
		envelope
		UserInfo struct {
			UserID, Name, PhoneNumber string
			UpdateTime                int64
		}
	}
	sns(&user, "user", "bob@second")
	ok("user", user.envelope)
	if user.UserInfo.UserID != "bob@second" || user.UserInfo.PhoneNumber != "13600002222" || user.UserInfo.UpdateTime == 0 {
		t.Errorf("user: %+v", user)
	}

	// S1: a message, then its repeal.
	var e envelope
	sns(&e, "chat", "bob@second", "--from", "alice@first", "--text", "hello from the command line", "--message-id", "m1@first")
	ok("chat", e)
	var inbox []imstore.InboxMessage
	im(&inbox, "inbox", "bob")
	if len(inbox) != 1 || inbox[0].MessageID != "m1@first" || inbox[0].From != "alice@first" || !strings.Contains(string(inbox[0].Content), "hello from the command line") {
		t.Fatalf("bob's inbox: %+v", inbox)
	}
	sns(&e, "chat", "bob@second", "--from", "alice@first", "--type", "repeal", "--message-id", "m1@first")
	ok("chat repeal", e)
	im(&inbox, "inbox", "bob")
	if len(inbox) != 1 || !inbox[0].Revoked {
		t.Errorf("after the repeal: %+v", inbox)
	}

	// S5: alice asks bob.
	sns(&e, "add-friend", "bob@second", "--owner", "alice@first", "--name", "Alice", "--remark", "hi")
	ok("add-friend", e)
	var reqs []imstore.FriendRequest
	im(&reqs, "friend", "requests", "bob")
	if len(reqs) != 1 || reqs[0].Direction != imstore.Incoming || reqs[0].Peer != "alice@first" || reqs[0].Remark != "hi" || reqs[0].State != imstore.RequestPending {
		t.Errorf("bob's requests: %+v", reqs)
	}
	// S6: carol (on second) asked alice; alice agrees.
	im(nil, "friend", "add", "alice@first", "--user", "carol")
	sns(&e, "respond-friend", "carol@second", "--owner", "alice@first", "--agree", "--name", "Alice")
	ok("respond-friend", e)
	var friends []imstore.Friend
	im(&friends, "friend", "list", "carol")
	if len(friends) != 1 || friends[0].Peer != "alice@first" {
		t.Errorf("carol's friends: %+v", friends)
	}
	// S9: does carol have alice as a friend? S7: alice ends it.
	var isFriend struct {
		envelope
		IsFriend int `json:"isFriend"`
	}
	sns(&isFriend, "is-friend", "carol@second", "--owner", "alice@first")
	ok("is-friend", isFriend.envelope)
	if isFriend.IsFriend != 1 {
		t.Errorf("is-friend: %+v", isFriend)
	}
	sns(&e, "del-friend", "carol@second", "--owner", "alice@first")
	ok("del-friend", e)
	im(&friends, "friend", "list", "carol")
	if len(friends) != 0 {
		t.Errorf("carol's friends after S7: %+v", friends)
	}
	sns(&isFriend, "is-friend", "carol@second", "--owner", "alice@first", "--prefix", "/sns/v1")
	if isFriend.IsFriend != 2 {
		t.Errorf("is-friend after S7: %+v", isFriend)
	}

	// S2: bob sends alice a file; first may now download it from second.
	content := bytes.Repeat([]byte("minutes of the meeting\n"), 500)
	src := filepath.Join(t.TempDir(), "minutes.txt")
	if err := os.WriteFile(src, content, 0o600); err != nil {
		t.Fatal(err)
	}
	var sent imstore.SentMessage
	im(&sent, "send", "--from", "bob", "--to", "alice@first", "--file", src)
	sum := md5.Sum(content)
	out := filepath.Join(t.TempDir(), "got.txt")
	var got struct {
		FileID, Peer, MD5, Out string
		Size                   int64
	}
	sns(&got, "download", sent.FileID, "--out", out, "--md5", hex.EncodeToString(sum[:]))
	if got.FileID != sent.FileID || got.Peer != "second" || got.Size != int64(len(content)) || got.MD5 != hex.EncodeToString(sum[:]) {
		t.Errorf("download: %+v", got)
	}
	if b, err := os.ReadFile(out); err != nil || !bytes.Equal(b, content) {
		t.Errorf("downloaded %d bytes, %v", len(b), err)
	}

	// A refusal by the reference server: printed, exit 1, its reason.
	res := cmdtest.Run(t, env, "sns", "add-friend", "carol@second", "--owner", "alice@first", "-o", "json")
	res.Expect(t, 1)
	var refused struct {
		envelope
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &refused); err != nil || refused.Code != 1 || refused.Reason != "verify_refused" {
		t.Errorf("refusal: %s %v\n%s", res.Stdout, err, res.Stderr)
	}
}

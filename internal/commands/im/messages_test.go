package im_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/im/imtest"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// Users, messages of every kind, both address forms, files fetched on
// demand, the sent list and repeal: each command in JSON against two real
// IM servers and the real management server.
func TestMessages(t *testing.T) {
	w := newWorld(t)
	first, second := w.first, w.second

	var st adminapi.Status
	imJSON(t, first, &st, "status")
	if st.ServerID != "first" || st.Address != first.URL || st.Users != 0 || st.Outbox == nil {
		t.Fatalf("status: %+v", st)
	}

	var u imstore.User
	imJSON(t, first, &u, "user", "add", "alice", "--name", "Alice", "--phone", "13500001111", "--remark", "ops")
	if u.UserID != "alice" || u.Name != "Alice" || u.PhoneNumber != "13500001111" || u.Remark != "ops" || u.VerifyType != imstore.VerifyAnyone || u.CreatedAt.IsZero() {
		t.Errorf("user add: %+v", u)
	}
	imJSON(t, second, &u, "user", "add", "bob", "--name", "Bob", "--verify-type", "1", "--portrait", "https://example.com/bob.png")
	if u.VerifyType != imstore.VerifyNobody || u.Portrait != "https://example.com/bob.png" {
		t.Errorf("user add: %+v", u)
	}
	var users []imstore.User
	imJSON(t, first, &users, "user", "list")
	if len(users) != 1 || users[0].UserID != "alice" {
		t.Errorf("user list: %+v", users)
	}
	res := im(t, first, "user", "add", "alice", "--name", "Again")
	res.Expect(t, 1)
	if !strings.Contains(res.Stderr, "(reason: conflict)") {
		t.Errorf("duplicate user: %s", res.Stderr)
	}

	// Text, to user@serverId: bob waits for it with --wait.
	var text imstore.SentMessage
	imJSON(t, first, &text, "send", "--from", "alice", "--to", "bob@second", "--text", "hello bob")
	if text.From != "alice@first" || text.To != "bob@second" || text.MessageType != "text" || !strings.HasSuffix(text.MessageID, "@first") ||
		compact(t, text.Content) != `{"message":"hello bob"}` {
		t.Fatalf("send: %+v", text)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res = runCtx(ctx, "im", "inbox", "bob", "--wait", "-o", "json", "--data-dir", second.DataDir)
	res.Expect(t, 0)
	var inbox []imstore.InboxMessage
	if err := json.Unmarshal([]byte(res.Stdout), &inbox); err != nil {
		t.Fatal(err)
	}
	if len(inbox) != 1 || inbox[0].MessageID != text.MessageID || inbox[0].From != "alice@first" || inbox[0].User != "bob" {
		t.Fatalf("inbox: %+v", inbox)
	}
	firstSeq := inbox[0].Seq

	// A file, to user@host:port, fetched by bob on demand and checked.
	content := bytes.Repeat([]byte("quarterly report\n"), 1000)
	src := filepath.Join(t.TempDir(), "report.txt")
	if err := os.WriteFile(src, content, 0o600); err != nil {
		t.Fatal(err)
	}
	var file imstore.SentMessage
	imJSON(t, first, &file, "send", "--from", "alice", "--to", "bob@"+second.Addr, "--file", src)
	sum := md5.Sum(content)
	var fc struct{ Size, Name, FileID, MD5 string }
	if err := json.Unmarshal(file.Content, &fc); err != nil {
		t.Fatal(err)
	}
	if file.MessageType != "file" || file.To != "bob@"+second.Addr || fc.Name != "report.txt" || fc.Size != "17000" || fc.MD5 != hex.EncodeToString(sum[:]) || fc.FileID != file.FileID {
		t.Fatalf("file message: %+v %+v", file, fc)
	}
	// It travels in a conversation of its own (bob@host:port is another
	// recipient string than bob@second): wait for it, to know the order.
	res = runCtx(ctx, "im", "inbox", "bob", "--after", strconv.FormatUint(firstSeq, 10), "--wait", "-o", "json", "--data-dir", second.DataDir)
	res.Expect(t, 0)
	if err := json.Unmarshal([]byte(res.Stdout), &inbox); err != nil || len(inbox) != 1 || inbox[0].MessageID != file.MessageID {
		t.Fatalf("bob's inbox after the file: %v %+v", err, inbox)
	}
	fileSeq := inbox[0].Seq

	// Voice from standard input, image: the types and their content.
	var voice, image imstore.SentMessage
	res = cmdtest.Run(t, cmdtest.Options{Stdin: "clip"}, "im", "send", "--from", "alice", "--to", "bob@second", "--file", "-", "--name", "clip.amr",
		"--type", "voice", "--duration", "4", "-o", "json", "--data-dir", first.DataDir)
	res.Expect(t, 0)
	if err := json.Unmarshal([]byte(res.Stdout), &voice); err != nil {
		t.Fatal(err)
	}
	if voice.MessageType != "voice" || !strings.Contains(compact(t, voice.Content), `"duration":"4"`) || !strings.Contains(compact(t, voice.Content), `"size":"4"`) {
		t.Errorf("voice: %+v %s", voice, voice.Content)
	}
	imJSON(t, first, &image, "send", "--from", "alice", "--to", "bob@second", "--file", src, "--type", "IMAGE", "--name", "chart.png")
	if image.MessageType != "image" || !strings.Contains(compact(t, image.Content), `"name":"chart.png"`) {
		t.Errorf("image: %+v %s", image, image.Content)
	}

	// Both, in order, as they arrive.
	res = runCtx(ctx, "im", "inbox", "bob", "--after", strconv.FormatUint(fileSeq, 10), "--follow", "--limit", "2", "-o", "json", "--data-dir", second.DataDir)
	res.Expect(t, 0)
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("--follow printed %d lines:\n%s", len(lines), res.Stdout)
	}
	var got []string
	for _, l := range lines {
		var m imstore.InboxMessage
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("--follow line %q: %v", l, err)
		}
		got = append(got, m.MessageID)
	}
	if strings.Join(got, " ") != voice.MessageID+" "+image.MessageID {
		t.Errorf("--follow: %v", got)
	}

	out := filepath.Join(t.TempDir(), "got.txt")
	var saved struct {
		FileID, MessageID, Name, MD5, Out string
		Size                              int64
	}
	imJSON(t, second, &saved, "file", "get", file.FileID, "--user", "bob", "--out", out)
	if saved.FileID != file.FileID || saved.MessageID != file.MessageID || saved.Name != "report.txt" || saved.Size != 17000 || saved.MD5 != fc.MD5 || saved.Out != out {
		t.Errorf("file get: %+v", saved)
	}
	if b, err := os.ReadFile(out); err != nil || !bytes.Equal(b, content) {
		t.Errorf("file saved: %v, %d bytes", err, len(b))
	}
	res = im(t, second, "file", "get", file.FileID, "--user", "bob", "--out", out)
	res.Expect(t, 1)
	if !strings.Contains(res.Stderr, "already exists: pass --force to overwrite it") {
		t.Errorf("existing output: %s", res.Stderr)
	}
	// The sender gets it too (its own copy), to standard output.
	res = im(t, first, "file", "get", file.FileID, "--user", "alice", "--out", "-")
	res.Expect(t, 0)
	if res.Stdout != string(content) || !strings.Contains(res.Stderr, "Wrote report.txt (17000 bytes, md5 "+fc.MD5+")") {
		t.Errorf("file get to stdout: %d bytes, %s", len(res.Stdout), res.Stderr)
	}

	var sent []imstore.SentMessage
	imJSON(t, first, &sent, "sent", "alice", "--limit", "2")
	if len(sent) != 2 || sent[0].MessageID != text.MessageID || sent[1].MessageID != file.MessageID {
		t.Errorf("sent: %+v", sent)
	}

	// Repeal: revoked here at once, at bob's server once delivered.
	var rep imstore.SentMessage
	imJSON(t, first, &rep, "repeal", text.MessageID, "--user", "alice")
	if !rep.Revoked || rep.MessageID != text.MessageID {
		t.Errorf("repeal: %+v", rep)
	}
	imtest.Eventually(t, "the repeal at second", func() bool {
		var in []imstore.InboxMessage
		imJSON(t, second, &in, "inbox", "bob", "--limit", "1")
		return len(in) == 1 && in[0].Revoked
	})
	res = runCtx(ctx, "im", "inbox", "bob", "--follow", "--limit", "1", "--data-dir", second.DataDir)
	res.Expect(t, 0)
	if !regexp.MustCompile(`^#\d+   \S+Z   alice@first   text   hello bob   \(revoked\)\n$`).MatchString(res.Stdout) {
		t.Errorf("--follow table: %q", res.Stdout)
	}
	// Interrupted before --limit messages came: exit 3.
	short, cancelShort := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancelShort()
	res = runCtx(short, "im", "inbox", "bob", "--after", "1000", "--follow", "--limit", "5", "--data-dir", second.DataDir)
	res.Expect(t, cmdutil.ExitCancelled)
	if res.Stderr != "imictl: interrupted after 0 of the 5 messages awaited: cancelled\n" {
		t.Errorf("interrupted --follow: %q", res.Stderr)
	}

	res = im(t, second, "inbox", "bob", "--limit", "2")
	res.Expect(t, 0)
	if !regexp.MustCompile(`(?m)^SEQ +RECEIVED +FROM +TYPE +CONTENT +STATE\n\d+ +\S+Z +alice@first +text +hello bob +revoked\n\d+ +\S+Z +alice@first +file +report.txt, 17000 bytes \(file \w+@first\)$`).MatchString(res.Stdout) {
		t.Errorf("inbox table:\n%s", res.Stdout)
	}
}

package im_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/im/imtest"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// Without a running server every command says so, exit 6, and names
// what to do.
func TestNotRunning(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"status"}, {"user", "list"}, {"send", "--from", "a", "--to", "b@x", "--text", "t"}, {"inbox", "a"},
		{"friend", "list", "a"}, {"outbox"}, {"policy", "show"}, {"dir", "refresh"},
	} {
		res := cmdtest.Run(t, cmdtest.Options{}, append(append([]string{"im"}, args...), "--data-dir", dir)...)
		res.Expect(t, cmdutil.ExitUnavailable)
		want := "imictl: the IM server of " + dir + " is not running (nothing answers on " + filepath.Join(dir, "im", "admin.sock") +
			"): start it with `imictl serve`, or point --data-dir at its data directory (reason: not_running)\n"
		if res.Stderr != want || res.Stdout != "" {
			t.Errorf("%v: stderr %q", args, res.Stderr)
		}
	}
	// --wait waits, until interrupted (exit 3).
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	res := runCtx(ctx, "im", "status", "--wait", "--data-dir", dir)
	res.Expect(t, cmdutil.ExitCancelled)
	if res.Stdout != "" || res.Stderr != "imictl: cancelled\n" {
		t.Errorf("status --wait: %q %q", res.Stdout, res.Stderr)
	}
	// $IMICTL_DATA_DIR names the data directory too.
	res = cmdtest.Run(t, cmdtest.Options{Env: map[string]string{cmdutil.DataDirEnv: dir}}, "im", "status")
	res.Expect(t, cmdutil.ExitUnavailable)
	if !strings.Contains(res.Stderr, "the IM server of "+dir+" is not running") {
		t.Errorf("stderr %q", res.Stderr)
	}
}

// Misuse is refused before the server is asked, with the flag to fix;
// refusals by the server keep its reason and the documented exit code;
// nothing changes.
func TestRefusals(t *testing.T) {
	w := newWorld(t)
	first := w.first
	im(t, first, "user", "add", "alice", "--name", "Alice").Expect(t, 0)
	out := filepath.Join(t.TempDir(), "x")
	usage := []usageCase{
		{[]string{"user", "add", "a b", "--name", "x"}, `USERID: invalid userID: "a b": use 1-64 letters`},
		{[]string{"user", "add", "dave"}, "--name is required (no terminal to ask for it)"},
		{[]string{"user", "add", "dave", "--name", "Dave", "--verify-type", "3"}, "--verify-type 3: want 1 (nobody may add the user) or 2 (anyone may ask)"},
		{[]string{"send", "--from", "alice", "--to", "bob@second"}, "at least one of the flags in the group [text file] is required"},
		{[]string{"send", "--from", "alice", "--to", "bob@second", "--text", "x", "--file", "f"}, "none of the others can be"},
		{[]string{"send", "--from", "alice@first", "--to", "bob@second", "--text", "x"}, "--from must be a local user's id"},
		{[]string{"send", "--from", "alice", "--to", "bob@", "--text", "x"}, `--to "bob@": `},
		{[]string{"send", "--from", "alice", "--to", "bob@second", "--text", "x", "--duration", "3"}, "--type, --name and --duration go with --file, not --text"},
		{[]string{"send", "--from", "alice", "--to", "bob@second", "--file", "f", "--type", "video"}, `--type "video": want file, image or voice`},
		{[]string{"send", "--from", "alice", "--to", "bob@second", "--file", "f", "--duration", "3"}, "--duration is the length of a voice message in seconds (--type voice)"},
		{[]string{"send", "--from", "alice", "--to", "bob@second", "--file", "-"}, "a file read from standard input needs --name"},
		{[]string{"inbox", "alice", "--wait", "--follow"}, "if any flags in the group [wait follow] are set none of the others can be"},
		{[]string{"inbox", "alice", "--limit", "-1"}, "--limit must be 0 (no limit) or positive"},
		{[]string{"repeal", "nope", "--user", "alice"}, `MESSAGEID "nope": `},
		{[]string{"file", "get", "f@first", "--user", "alice"}, `required flag(s) "out" not set`},
		{[]string{"file", "get", "f@first", "--user", "alice", "--out", "-", "-o", "json"}, "with --out - the file itself is the output: drop -o"},
		{[]string{"friend", "accept"}, "which request? give REQUEST-ID, or --user and --peer"},
		{[]string{"friend", "accept", "x1"}, `REQUEST-ID "x1": want the number`},
		{[]string{"friend", "refuse", "1", "--user", "alice", "--peer", "bob@second"}, "give REQUEST-ID or --user and --peer, not both"},
		{[]string{"friend", "accept", "--user", "alice"}, "if any flags in the group [user peer] are set they must all be set"},
		{[]string{"friend", "requests", "alice", "--state", "maybe"}, `--state "maybe": want pending, accepted or refused`},
		{[]string{"outbox", "--state", "lost"}, `--state "lost": want pending, parked or delivered`},
		{[]string{"outbox", "--destination", "a b"}, `--destination "a b": want a serverId or host:port`},
		{[]string{"outbox", "retry"}, "what to retry? give ID or --destination SERVER"},
		{[]string{"outbox", "retry", "3", "--destination", "second"}, "give ID or --destination, not both"},
		{[]string{"outbox", "drop", "zero", "--yes"}, `ID "zero": want the number`},
		{[]string{"policy", "allow", "bad.id"}, `SERVERID: bad serverId "bad.id"`},
		{[]string{"policy", "set", "--deny", "ok,Bad!"}, `--deny: bad serverId "Bad!"`},
		{[]string{"user", "list", "extra"}, `unknown command "extra" for "imictl im user list"`},
	}
	expectUsage(t, first, usage)

	refused := []struct {
		args   []string
		code   int
		reason string
	}{
		{[]string{"inbox", "nobody"}, cmdutil.ExitNotFound, "not_found"},
		{[]string{"send", "--from", "nobody", "--to", "bob@second", "--text", "x"}, cmdutil.ExitNotFound, "not_found"},
		{[]string{"send", "--from", "alice", "--to", "nobody", "--text", "x"}, cmdutil.ExitNotFound, "not_found"},
		{[]string{"repeal", "0123@first", "--user", "alice"}, cmdutil.ExitNotFound, "not_found"},
		{[]string{"file", "get", "0123@first", "--user", "alice", "--out", out}, cmdutil.ExitNotFound, ""},
		{[]string{"friend", "accept", "999"}, cmdutil.ExitNotFound, "not_found"},
		{[]string{"friend", "accept", "--user", "alice", "--peer", "bob@second"}, cmdutil.ExitNotFound, ""},
		{[]string{"friend", "accept", "--user", "alice", "--peer", "nobody"}, cmdutil.ExitNotFound, ""},
		{[]string{"outbox", "retry", "999"}, cmdutil.ExitNotFound, "not_found"},
		{[]string{"user", "add", "alice", "--name", "Twice"}, cmdutil.ExitFailure, "conflict"},
	}
	for _, tt := range refused {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := im(t, first, tt.args...)
			res.Expect(t, tt.code)
			if tt.reason != "" && !strings.HasSuffix(res.Stderr, "(reason: "+tt.reason+")\n") || res.Stdout != "" {
				t.Errorf("stderr %q, want reason %s", res.Stderr, tt.reason)
			}
		})
	}
	// Nothing changed: one user, nothing sent, nothing queued.
	var users []imstore.User
	imJSON(t, first, &users, "user", "list")
	var sent []imstore.SentMessage
	imJSON(t, first, &sent, "sent", "alice")
	var items []imstore.OutboxItem
	imJSON(t, first, &items, "outbox")
	if len(users) != 1 || users[0].Name != "Alice" || len(sent) != 0 || len(items) != 0 {
		t.Errorf("state changed: %+v %+v %+v", users, sent, items)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

// Tables for people: a list and one object.
func TestTables(t *testing.T) {
	w := imtest.Start(t)
	s := w.IM(t, "first")
	im(t, s, "user", "add", "alice", "--name", "Alice", "--phone", "135").Expect(t, 0)
	im(t, s, "user", "add", "bob", "--name", "鲍勃", "--verify-type", "1").Expect(t, 0)
	res := im(t, s, "user", "list")
	res.Expect(t, 0)
	want := "USER ID   NAME    PHONE   VERIFY TYPE   REMARK\n" +
		"alice     Alice   135     2\n" +
		"bob       鲍勃            1\n"
	if res.Stdout != want {
		t.Errorf("user list:\n%q\nwant\n%q", res.Stdout, want)
	}
	res = im(t, s, "status")
	res.Expect(t, 0)
	want = "Server ID:           first\nAddress:             " + s.URL + "\nListening on:        " + s.Addr +
		"\nManagement server:   " + w.Mgmt.URL() + "\nUsers:               2\nOutbox:              empty\n"
	if res.Stdout != want {
		t.Errorf("status:\n%s\nwant\n%s", res.Stdout, want)
	}
}

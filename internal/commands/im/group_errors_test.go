package im_test

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	imcmd "github.com/imictl/imictl/internal/commands/im"
	"github.com/imictl/imictl/internal/commands/im/imtest"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Misused group commands are refused before the server is asked, naming
// the flag to fix; the server's refusals keep their reason and exit code;
// nothing changes.
func TestGroupRefusals(t *testing.T) {
	w := imtest.Start(t)
	first := w.IM(t, "first")
	im(t, first, "user", "add", "alice", "--name", "Alice").Expect(t, 0)
	im(t, first, "user", "add", "dave", "--name", "Dave").Expect(t, 0)
	var g adminapi.GroupView
	imJSON(t, first, &g, "group", "create", "team", "--user", "alice")
	imJSON(t, first, &g, "group", "create", "twin", "--user", "alice")
	imJSON(t, first, &g, "group", "create", "twin", "--user", "alice")
	gid := g.GroupInfo.GroupID

	usage := []usageCase{
		{[]string{"group", "create", "x", "--user", "alice@first"}, "--user must be a local user's id"},
		{[]string{"group", "create", "", "--user", "alice"}, "NAME is empty: give the group a name"},
		{[]string{"group", "create", "x", "--user", "alice", "--visible", "maybe"}, `--visible "maybe": want yes or no`},
		{[]string{"group", "create", "x"}, `required flag(s) "user" not set`},
		{[]string{"group", "list"}, "accepts 1 arg(s), received 0"},
		{[]string{"group", "show", "g@", "--user", "alice"}, `GROUP "g@": `},
		{[]string{"group", "show", "", "--user", "alice"}, "GROUP is empty"},
		{[]string{"group", "invite", "team", "--user", "alice"}, "requires at least 2 arg(s)"},
		{[]string{"group", "invite", "team", "bob@", "--user", "alice"}, `USER "bob@": `},
		{[]string{"group", "remove", "team", "a b", "--user", "alice"}, `MEMBER "a b": want user@serverId`},
		{[]string{"group", "dissolve", "team", "--user", "alice"}, "Dissolve group team for every member: confirmation needed and there is no terminal to ask; pass --yes to proceed"},
		{[]string{"group", "set", "team", "--user", "alice"}, "nothing to change: pass --name, --icon, --allow-invite or --visible"},
		{[]string{"group", "set", "team", "--user", "alice", "--name", ""}, "--name is empty: a group needs a name"},
		{[]string{"group", "set", "team", "--user", "alice", "--allow-invite", "3"}, `--allow-invite "3": want yes or no`},
		{[]string{"group", "admin", "team", "--user", "alice"}, "accepts 2 arg(s), received 1"},
		{[]string{"group", "send", "team", "--from", "alice"}, "at least one of the flags in the group [text file] is required"},
		{[]string{"group", "send", "team", "--from", "alice", "--text", "x", "--name", "n"}, "--type, --name and --duration go with --file, not --text"},
		{[]string{"group", "history", "team", "--user", "alice", "--after", "m1"}, `--after "m1": `},
		{[]string{"group", "history", "team", "--user", "alice", "--limit", "-1"}, "--limit must be 0 (the server's page) or positive"},
		{[]string{"group", "show", "twin", "--user", "alice"}, `2 of alice's groups are named "twin" (`},
	}
	expectUsage(t, first, usage)

	refused := []struct {
		args   []string
		code   int
		reason string
		want   string
	}{
		{[]string{"group", "show", "nameless", "--user", "alice"}, cmdutil.ExitNotFound, "", `none of alice's groups is named "nameless": see imictl im group list alice`},
		{[]string{"group", "accept", "team", "--user", "dave"}, cmdutil.ExitNotFound, "", `none of dave's pending invitations is named "team": see imictl im group invitations dave`},
		{[]string{"group", "show", "0123@first", "--user", "alice"}, cmdutil.ExitNotFound, "unknown_group", ""},
		{[]string{"group", "list", "nobody"}, cmdutil.ExitNotFound, "not_found", ""},
		{[]string{"group", "members", gid, "--user", "dave"}, cmdutil.ExitFailure, "not_member", ""},
		{[]string{"group", "send", gid, "--from", "dave", "--text", "x"}, cmdutil.ExitFailure, "not_member", ""},
		{[]string{"group", "invite", gid, "bob@second", "--user", "dave"}, cmdutil.ExitFailure, "not_member", ""},
		{[]string{"group", "admin", gid, "dave", "--user", "alice"}, cmdutil.ExitFailure, "not_member", ""},
		{[]string{"group", "dissolve", gid, "--user", "dave", "--yes"}, cmdutil.ExitFailure, "not_member", ""},
		{[]string{"group", "quit", gid, "--user", "alice"}, cmdutil.ExitFailure, "conflict", "the owner cannot quit group"},
	}
	for _, tt := range refused {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := im(t, first, tt.args...)
			res.Expect(t, tt.code)
			if tt.reason != "" && !strings.HasSuffix(res.Stderr, "(reason: "+tt.reason+")\n") || !strings.Contains(res.Stderr, tt.want) || res.Stdout != "" {
				t.Errorf("stderr %q, want reason %s", res.Stderr, tt.reason)
			}
		})
	}
	// Nothing changed: three groups of alice alone, nothing sent.
	var groups []adminapi.GroupEntry
	imJSON(t, first, &groups, "group", "list", "alice")
	if len(groups) != 3 {
		t.Errorf("alice's groups: %+v", groups)
	}
	var members []wire.GroupMember
	imJSON(t, first, &members, "group", "members", gid, "--user", "alice")
	if got := memberList(members); len(got) != 1 || got[0] != "alice@first:owner" {
		t.Errorf("members: %v", got)
	}
	var h adminapi.GroupHistory
	imJSON(t, first, &h, "group", "history", gid, "--user", "alice")
	if len(h.Messages) != 0 {
		t.Errorf("history: %+v", h)
	}
	// Without a running server: exit 6, as every im command.
	res := cmdtest.Run(t, cmdtest.Options{}, "im", "group", "list", "alice", "--data-dir", t.TempDir())
	res.Expect(t, cmdutil.ExitUnavailable)
	if !strings.Contains(res.Stderr, "is not running") {
		t.Errorf("not running: %s", res.Stderr)
	}
}

// Tables for people.
func TestGroupTables(t *testing.T) {
	w := imtest.Start(t)
	s := w.IM(t, "first")
	im(t, s, "user", "add", "alice", "--name", "Alice").Expect(t, 0)
	var g adminapi.GroupView
	imJSON(t, s, &g, "group", "create", "team", "--user", "alice")
	gid := g.GroupInfo.GroupID
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"group", "list", "alice"}, "GROUP ID" + strings.Repeat(" ", len(gid)-5) + "NAME   MAIN SERVER   ROLE\n" + gid + "   team   first         owner\n"},
		{[]string{"group", "members", "team", "--user", "alice"}, "USER ID       ROLE    NAME\nalice@first   owner   Alice\n"},
		{[]string{"group", "invitations", "alice"}, "GROUP ID   NAME   INVITED BY   INVITED\n"},
		{[]string{"group", "set", "team", "--user", "alice", "--icon", "https://example.com/t.png", "--allow-invite", "no"},
			"Group ID:             " + gid + "\nName:                 team\nIcon:                 https://example.com/t.png\nMain server:          first\nMembers:              1\n" +
				"Created by:           alice@first\nCreated:              " + time.UnixMilli(g.GroupInfo.CreateTime).UTC().Format(time.RFC3339) + "\nMembers may invite:   no\nSearchable:           no\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := im(t, s, tt.args...)
			res.Expect(t, 0)
			if res.Stdout != tt.want {
				t.Errorf("stdout:\n%q\nwant\n%q", res.Stdout, tt.want)
			}
		})
	}
}

// Every group command says what it does and shows how.
func TestGroupHelp(t *testing.T) {
	f, _, _ := cmdtest.NewFactory(cmdtest.Options{})
	var group *cobra.Command
	for _, c := range imcmd.NewCmdIM(f).Commands() {
		if c.Name() == "group" {
			group = c
		}
	}
	if group == nil || len(group.Commands()) != 16 {
		t.Fatalf("im group: %v", group)
	}
	for _, c := range group.Commands() {
		if c.Short == "" || c.Long == "" || !strings.HasPrefix(c.Example, "  imictl im group "+c.Name()+" ") {
			t.Errorf("im group %s: short %q, long %d bytes, example %q", c.Name(), c.Short, len(c.Long), c.Example)
		}
	}
}

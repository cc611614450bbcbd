package sns_test

import (
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/sns"
)

const okJSON = "{\n  \"code\": 0,\n  \"error\": \"\"\n}\n"

// Each G1-G12 command, -o json, against the stand-in peer: the request
// the peer authenticated, exactly, and the answer printed as received.
func TestGroupCommandsJSON(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name     string
		args     []string
		stdout   string // "" for okJSON
		method   string
		path     string
		rawQuery string
		body     string
	}{
		{"invite-group", []string{"invite-group", "g1@beta-im", "u3@beta-im", "u4@beta-im", "--inviter", "u1@alpha-im", "--group-name", "Team"},
			"", "POST", "/sns/invite/grpreq", "",
			`{"userID":"u1@alpha-im","reqInfo":{"groupInfo":{"groupID":"g1@beta-im","groupName":"Team","groupIcon":"","groupMemberNum":0,"createUser":"","createTime":0},"inviteUsers":["u3@beta-im","u4@beta-im"]}}`},
		{"invite-group with the inviter's userInfo", []string{"invite-group", "g1@beta-im", "u3@beta-im", "--inviter", "u1@alpha-im", "--group-name", "Team", "--name", "Ann"},
			"", "POST", "/sns/invite/grpreq", "",
			`{"userID":"u1@alpha-im","reqInfo":{"groupInfo":{"groupID":"g1@beta-im","groupName":"Team","groupIcon":"","groupMemberNum":0,"createUser":"","createTime":0},"userInfo":{"phoneNumber":"","remark":"","name":"Ann","portrait":"","userID":"u1@alpha-im"},"inviteUsers":["u3@beta-im"]}}`},
		{"answer-group-invite", []string{"answer-group-invite", "g1@beta-im", "--owner", "u1@alpha-im", "--agree"},
			"", "POST", "/sns/invite/grprep", "groupID=g1%40beta-im", `{"ownerID":"u1@alpha-im","respResult":1}`},
		{"answer-group-invite --refuse", []string{"answer-group-invite", "g1@beta-im", "--owner", "u1@alpha-im", "--refuse"},
			"", "POST", "/sns/invite/grprep", "groupID=g1%40beta-im", `{"ownerID":"u1@alpha-im","respResult":2}`},
		{"remove-members", []string{"remove-members", "g1@beta-im", "u3@beta-im", "u5@gamma-im", "--owner", "u2@beta-im"},
			"", "POST", "/sns/remove/grpmembers", "groupID=g1%40beta-im", `{"ownerID":"u2@beta-im","delateMembers":["u3@beta-im","u5@gamma-im"]}`},
		{"quit-group", []string{"quit-group", "g1@beta-im", "--owner", "u1@alpha-im"},
			"", "POST", "/sns/quit/grpmember", "groupID=g1%40beta-im", `{"ownerID":"u1@alpha-im"}`},
		{"notify-group-chat, to the first member's server", []string{"notify-group-chat", "g7@alpha-im", "--member", "u2@beta-im", "--member", "u3@beta-im", "--from", "u1@alpha-im", "--text", "hi all", "--message-id", "m9@alpha-im"},
			"", "POST", "/sns/notify/grpchat", "groupID=g7%40alpha-im",
			`{"userIDs":["u2@beta-im","u3@beta-im"],"messageInfo":{"senderID":"u1@alpha-im","recvID":"g7@alpha-im","messageType":"text","version":"v1","type":2,"messageID":"m9@alpha-im","fileID":"","content":{"message":"hi all"}}}`},
		{"group message by S1", []string{"chat", "g1@beta-im", "--group", "--from", "u1@alpha-im", "--text", "hi all", "--message-id", "m3@alpha-im"},
			"", "POST", "/sns/chat", "",
			`{"messageInfo":{"senderID":"u1@alpha-im","recvID":"g1@beta-im","messageType":"text","version":"v1","type":2,"messageID":"m3@alpha-im","fileID":"","content":{"message":"hi all"}}}`},
		{"group-chat", []string{"group-chat", "g1@beta-im", "--after", "m1@beta-im"},
			"{\n  \"code\": 0,\n  \"error\": \"\",\n  \"newestMessageID\": \"m2@beta-im\",\n  \"messages\": [\n    {\n      \"senderID\": \"u2@beta-im\",\n      \"recvID\": \"g1@beta-im\",\n      \"messageType\": \"text\",\n      \"version\": \"v1\",\n      \"type\": 2,\n      \"messageID\": \"m2@beta-im\",\n      \"fileID\": \"\",\n      \"content\": {\n        \"message\": \"hi all\"\n      }\n    }\n  ]\n}\n",
			"GET", "/sns/grpchat", "groupID=g1%40beta-im&messageID=m1%40beta-im", ""},
		{"update-group", []string{"update-group", "g1@beta-im", "--owner", "u1@alpha-im", "--group-name", "New team", "--allow-invite", "2", "--visible", "1"},
			"", "POST", "/sns/update/grpinfo", "groupID=g1%40beta-im",
			`{"ownerID":"u1@alpha-im","gset":{"isAllow":2,"isVisible":1},"groupInfo":{"groupID":"g1@beta-im","groupName":"New team","groupIcon":"","groupMemberNum":0,"createUser":"","createTime":0}}`},
		{"update-group settings only", []string{"update-group", "g1@beta-im", "--owner", "u1@alpha-im", "--allow-invite", "1", "--visible", "2"},
			"", "POST", "/sns/update/grpinfo", "groupID=g1%40beta-im", `{"ownerID":"u1@alpha-im","gset":{"isAllow":1,"isVisible":2}}`},
		{"notify-group", []string{"notify-group", "g7@alpha-im", "--oper-type", "set-admin", "--oper-user", "u1@alpha-im", "--oper-name", "Ann", "--user", "u2@beta-im", "--to", "beta-im"},
			"", "POST", "/sns/notify/grpnotify", "groupID=g7%40alpha-im",
			`{"operType":4,"operUser":{"phoneNumber":"","remark":"","name":"Ann","portrait":"","userID":"u1@alpha-im"},"users":[{"phoneNumber":"","remark":"","name":"","portrait":"","userID":"u2@beta-im"}]}`},
		{"notify-group settings, no users", []string{"notify-group", "g7@alpha-im", "--oper-type", "7", "--oper-user", "u1@alpha-im", "--allow-invite", "1", "--visible", "2", "--to", "beta-im"},
			"", "POST", "/sns/notify/grpnotify", "groupID=g7%40alpha-im",
			`{"operType":7,"operUser":{"phoneNumber":"","remark":"","name":"","portrait":"","userID":"u1@alpha-im"},"grpset":{"isAllow":1,"isVisible":2},"users":[]}`},
		{"group-info, lenient answer printed as received", []string{"group-info", "g1@beta-im", "--user", "u1@alpha-im"},
			"{\n  \"code\": 0,\n  \"error\": \"\",\n  \"gset\": {\n    \"isAllow\": \"1\",\n    \"isVisible\": 2\n  },\n  \"groupInfo\": {\n    \"groupID\": \"g1@beta-im\",\n    \"groupName\": \"Team\",\n    \"groupIcon\": \"\",\n    \"groupMemberNum\": 2,\n    \"createUser\": \"u2@beta-im\",\n    \"createTime\": 1700000000000\n  }\n}\n",
			"GET", "/sns/grpinfo", "groupID=g1%40beta-im&userID=u1%40alpha-im", ""},
		{"group-members, /sns/v1", []string{"group-members", "g1@beta-im", "--user", "u1@alpha-im", "--prefix", "/sns/v1"},
			"{\n  \"code\": 0,\n  \"error\": \"\",\n  \"members\": [\n    {\n      \"userType\": 3,\n      \"userInfo\": {\n        \"userID\": \"u2@beta-im\",\n        \"name\": \"Bo\"\n      }\n    },\n    {\n      \"userType\": \"1\",\n      \"userInfo\": {\n        \"userID\": \"u1@alpha-im\",\n        \"name\": \"Ann\"\n      }\n    }\n  ]\n}\n",
			"GET", "/sns/v1/grpmembers", "groupID=g1%40beta-im&userID=u1%40alpha-im", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(w.peer.Requests())
			res := cmdtest.Run(t, w.env(), append(append([]string{"sns"}, tt.args...), "-o", "json")...)
			res.Expect(t, 0)
			want := tt.stdout
			if want == "" {
				want = okJSON
			}
			if res.Stdout != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want)
			}
			reqs := w.peer.Requests()[before:]
			if len(reqs) != 1 {
				t.Fatalf("the peer handled %d requests", len(reqs))
			}
			r := reqs[0]
			if r.Origin != "alpha-im" || r.Method != tt.method || r.Path != tt.path || r.RawQuery != tt.rawQuery || string(r.Body) != tt.body {
				t.Errorf("peer got %s %s ? %s from %s\n%s\nwant %s %s ? %s\n%s", r.Method, r.Path, r.RawQuery, r.Origin, r.Body, tt.method, tt.path, tt.rawQuery, tt.body)
			}
		})
	}
}

func TestGroupTables(t *testing.T) {
	w := newWorld(t)
	tests := []tableCase{
		{[]string{"group-info", "g1@beta-im", "--user", "u1@alpha-im"}, "Peer:                 beta-im\nGroup ID:             g1@beta-im\nName:                 Team\nIcon:\nMembers:              2\nCreated by:           u2@beta-im\nCreated (ms):         1700000000000\nMembers may invite:   yes (1)\nSearchable:           no (2)\n"},
		{[]string{"group-members", "g1@beta-im", "--user", "u1@alpha-im"}, "USER-ID       TYPE         NAME   PHONE\nu2@beta-im    owner (3)    Bo\nu1@alpha-im   member (1)   Ann\n"},
		{[]string{"group-chat", "g1@beta-im"}, "MESSAGE-ID   FROM         TYPE   CONTENT\nm2@beta-im   u2@beta-im   text   hi all\n"},
		{[]string{"quit-group", "g1@beta-im", "--owner", "u1@alpha-im"}, "Peer:     beta-im\nResult:   ok (code 0)\n"},
	}
	w.expectTables(t, tests)
}

// Misused group commands are usage errors naming what to fix, and nothing
// is sent.
func TestGroupUsageErrors(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"invite without invitees", []string{"invite-group", "g1@beta-im", "--inviter", "u1@alpha-im", "--group-name", "T"}, "requires at least 2 arg(s)"},
		{"invite bad invitee", []string{"invite-group", "g1@beta-im", "bob", "--inviter", "u1@alpha-im", "--group-name", "T"}, "reqInfo.inviteUsers[0]: "},
		{"invite bad group", []string{"invite-group", "g1", "u3@beta-im", "--inviter", "u1@alpha-im", "--group-name", "T"}, "reqInfo.groupInfo.groupID: "},
		{"invite without --inviter", []string{"invite-group", "g1@beta-im", "u3@beta-im", "--group-name", "T"}, `required flag(s) "inviter" not set`},
		{"answer without answer", []string{"answer-group-invite", "g1@beta-im", "--owner", "u1@alpha-im"}, "pass --agree or --refuse"},
		{"answer both ways", []string{"answer-group-invite", "g1@beta-im", "--owner", "u1@alpha-im", "--agree", "--refuse"}, "none of the others can be"},
		{"answer bad group", []string{"answer-group-invite", "g1", "--owner", "u1@alpha-im", "--agree"}, `GROUPID "g1": `},
		{"remove without members", []string{"remove-members", "g1@beta-im", "--owner", "u1@alpha-im"}, "requires at least 2 arg(s)"},
		{"remove bad member", []string{"remove-members", "g1@beta-im", "x", "--owner", "u1@alpha-im"}, "delateMembers[0]: "},
		{"quit bad owner", []string{"quit-group", "g1@beta-im", "--owner", "u1"}, "ownerID: "},
		{"quit without owner", []string{"quit-group", "g1@beta-im"}, `required flag(s) "owner" not set`},
		{"notify-group-chat without members", []string{"notify-group-chat", "g7@alpha-im", "--from", "u1@alpha-im", "--text", "x"}, `required flag(s) "member" not set`},
		{"notify-group-chat without text", []string{"notify-group-chat", "g7@alpha-im", "--member", "u2@beta-im", "--from", "u1@alpha-im"}, "a text message needs --text"},
		{"notify-group-chat bad member", []string{"notify-group-chat", "g7@alpha-im", "--member", "u2", "--from", "u1@alpha-im", "--text", "x"}, "userIDs[0]: "},
		{"group-chat bad --after", []string{"group-chat", "g1@beta-im", "--after", "m1"}, `--after "m1": `},
		{"update nothing", []string{"update-group", "g1@beta-im", "--owner", "u1@alpha-im"}, "nothing to change: pass --group-name, --group-icon, or --allow-invite and --visible"},
		{"update half the settings", []string{"update-group", "g1@beta-im", "--owner", "u1@alpha-im", "--allow-invite", "1"}, "if any flags in the group [allow-invite visible] are set they must all be set"},
		{"update bad setting", []string{"update-group", "g1@beta-im", "--owner", "u1@alpha-im", "--allow-invite", "3", "--visible", "1"}, "gset.isAllow: want 1 (members may invite) or 2 (they may not), got 3"},
		{"notify-group bad type", []string{"notify-group", "g7@alpha-im", "--oper-type", "promote", "--oper-user", "u1@alpha-im", "--to", "beta-im"}, `--oper-type "promote": want 1-7 or add, remove, dissolve, set-admin, unset-admin, transfer, info`},
		{"notify-group type 8", []string{"notify-group", "g7@alpha-im", "--oper-type", "8", "--oper-user", "u1@alpha-im", "--to", "beta-im"}, `--oper-type "8"`},
		{"notify-group bad user", []string{"notify-group", "g7@alpha-im", "--oper-type", "1", "--oper-user", "u1@alpha-im", "--user", "x", "--to", "beta-im"}, "users[0].userID: "},
		{"notify-group without peer", []string{"notify-group", "g7@alpha-im", "--oper-type", "1", "--oper-user", "u1@alpha-im"}, "which peer? pass --to SERVERID or --url URL"},
		{"group-info without user", []string{"group-info", "g1@beta-im"}, `required flag(s) "user" not set`},
		{"group-members bad user", []string{"group-members", "g1@beta-im", "--user", "u1"}, `--user "u1": `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, w.env(), append([]string{"sns"}, tt.args...)...)
			res.Expect(t, cmdutil.ExitUsage)
			if !strings.Contains(res.Stderr, tt.want) {
				t.Errorf("stderr %q\nwant %q", res.Stderr, tt.want)
			}
			if res.Stdout != "" {
				t.Errorf("stdout: %q", res.Stdout)
			}
		})
	}
	if n := len(w.peer.Requests()); n != 0 {
		t.Fatalf("%d requests reached the peer", n)
	}
}

// Every group command names its interface and shows how it is used.
func TestGroupHelp(t *testing.T) {
	f, _, _ := cmdtest.NewFactory(cmdtest.Options{})
	group := map[string]string{
		"invite-group": "G1", "answer-group-invite": "G2", "remove-members": "G3", "quit-group": "G4", "notify-group-chat": "G7",
		"group-chat": "G8", "update-group": "G9", "notify-group": "G10", "group-info": "G11", "group-members": "G12",
	}
	for _, c := range sns.NewCmdSNS(f).Commands() {
		g, ok := group[c.Name()]
		if !ok {
			continue
		}
		delete(group, c.Name())
		if !strings.Contains(c.Short, "("+g+", ") || c.Long == "" || !strings.HasPrefix(c.Example, "  imictl sns "+c.Name()+" ") {
			t.Errorf("sns %s: short %q, long %d bytes, example %q", c.Name(), c.Short, len(c.Long), c.Example)
		}
	}
	if len(group) != 0 {
		t.Errorf("missing: %v", group)
	}
}

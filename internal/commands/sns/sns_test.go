package sns_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
)

// Each S1-S9 command, -o json, against the stand-in peer found through the
// management server's directory: the answer printed as received, and the
// request the peer authenticated.
func TestCommandsJSON(t *testing.T) {
	w := newWorld(t)
	out := filepath.Join(w.dir, "report.txt")
	tests := []struct {
		name     string
		args     []string
		stdout   string
		method   string
		path     string
		rawQuery string
		body     string
	}{
		{"chat", []string{"chat", "u2@beta-im", "--from", "u1@alpha-im", "--text", "hi", "--message-id", "m1@alpha-im"},
			"{\n  \"code\": 0,\n  \"error\": \"\"\n}\n", "POST", "/sns/chat", "",
			`{"messageInfo":{"senderID":"u1@alpha-im","recvID":"u2@beta-im","messageType":"text","version":"v1","type":1,"messageID":"m1@alpha-im","fileID":"","content":{"message":"hi"}}}`},
		{"chat file", []string{"chat", "--to-user", "u2@beta-im", "--from", "u1@alpha-im", "--type", "FILE", "--file-id", "f9@alpha-im", "--name", "a.pdf", "--size", "2048", "--md5", "0cc175b9c0f1b6a831c399e269772661", "--message-id", "m2@alpha-im"},
			"{\n  \"code\": 0,\n  \"error\": \"\"\n}\n", "POST", "/sns/chat", "",
			`{"messageInfo":{"senderID":"u1@alpha-im","recvID":"u2@beta-im","messageType":"file","version":"v1","type":1,"messageID":"m2@alpha-im","fileID":"f9@alpha-im","content":{"size":"2048","name":"a.pdf","fileID":"f9@alpha-im","md5":"0cc175b9c0f1b6a831c399e269772661"}}}`},
		{"download", []string{"download", "f1@beta-im", "--out", out, "--md5", fileMD5()},
			"{\n  \"fileId\": \"f1@beta-im\",\n  \"peer\": \"beta-im\",\n  \"size\": 21,\n  \"md5\": \"" + fileMD5() + "\",\n  \"contentType\": \"application/octet-stream\",\n  \"out\": \"" + out + "\"\n}\n",
			"GET", "/sns/download/file", "fileID=f1%40beta-im", ""},
		{"find-users", []string{"find-users", "Bo 张", "--to", "beta-im"},
			"{\n  \"code\": 0,\n  \"error\": \"\",\n  \"users\": [\n    {\n      \"userID\": \"u2@beta-im\",\n      \"name\": \"Bo\",\n      \"phoneNumber\": \"13600002222\",\n      \"remark\": \"\",\n      \"portrait\": \"\"\n    }\n  ]\n}\n",
			"GET", "/sns/find/users", "queryStr=Bo%20%E5%BC%A0", ""},
		{"verify-user", []string{"verify-user", "u2@beta-im"},
			"{\n  \"code\": 0,\n  \"error\": \"\",\n  \"verifyType\": 2\n}\n", "GET", "/sns/verify/users", "userID=u2%40beta-im", ""},
		{"add-friend", []string{"add-friend", "u2@beta-im", "--owner", "u1@alpha-im", "--name", "Ann", "--remark", "hello"},
			"{\n  \"code\": 0,\n  \"error\": \"\"\n}\n", "POST", "/sns/add/users", "",
			`{"userID":"u2@beta-im","remark":"hello","ownerID":"u1@alpha-im","userInfo":{"phoneNumber":"","remark":"","name":"Ann","portrait":"","userID":"u1@alpha-im"}}`},
		{"respond-friend", []string{"respond-friend", "u2@beta-im", "--owner", "u1@alpha-im", "--refuse"},
			"{\n  \"code\": 0,\n  \"error\": \"\"\n}\n", "POST", "/sns/rsp/users", "",
			`{"userID":"u2@beta-im","isAgree":2,"ownerID":"u1@alpha-im","userInfo":{"phoneNumber":"","remark":"","name":"","portrait":"","userID":"u1@alpha-im"}}`},
		{"del-friend", []string{"del-friend", "u2@beta-im", "--owner", "u1@alpha-im"},
			"{\n  \"code\": 0,\n  \"error\": \"\"\n}\n", "POST", "/sns/del/users", "", `{"userID":"u2@beta-im","ownerID":"u1@alpha-im"}`},
		{"user, unknown fields kept", []string{"user", "u2@beta-im"},
			"{\n  \"code\": 0,\n  \"error\": \"\",\n  \"userInfo\": {\n    \"userID\": \"u2@beta-im\",\n    \"name\": \"Bo\",\n    \"phoneNumber\": \"13600002222\",\n    \"x-extra\": true\n  }\n}\n",
			"GET", "/sns/users", "userID=u2%40beta-im", ""},
		{"is-friend, /sns/v1", []string{"is-friend", "u2@beta-im", "--owner", "u1@alpha-im", "--prefix", "/sns/v1"},
			"{\n  \"code\": 0,\n  \"error\": \"\",\n  \"isFriend\": 1\n}\n", "GET", "/sns/v1/query/users", "ownerID=u1%40alpha-im&userID=u2%40beta-im", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(w.peer.Requests())
			res := cmdtest.Run(t, w.env(), append(append([]string{"sns"}, tt.args...), "-o", "json")...)
			res.Expect(t, 0)
			if res.Stdout != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, tt.stdout)
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
	if string(cmdtest.ReadFile(t, out)) != string(fileContent) {
		t.Error("downloaded file differs")
	}
}

func TestTables(t *testing.T) {
	w := newWorld(t)
	tests := []tableCase{
		{[]string{"user", "u2@beta-im"}, "Peer:       beta-im\nUser ID:    u2@beta-im\nName:       Bo\nPhone:      13600002222\nRemark:\nPortrait:\n"},
		{[]string{"find-users", "Bo", "--to", "beta-im"}, "USER-ID      NAME   PHONE         REMARK\nu2@beta-im   Bo     13600002222\n"},
		{[]string{"is-friend", "u2@beta-im", "--owner", "u1@alpha-im"}, "Peer:        beta-im\nUser ID:     u2@beta-im\nOwner ID:    u1@alpha-im\nIs friend:   yes (1)\n"},
		{[]string{"verify-user", "u2@beta-im"}, "Peer:          beta-im\nUser ID:       u2@beta-im\nVerify type:   may be added (2)\n"},
		{[]string{"del-friend", "u2@beta-im", "--owner", "u1@alpha-im"}, "Peer:     beta-im\nResult:   ok (code 0)\n"},
	}
	w.expectTables(t, tests)
}

func TestChatGeneratesMessageID(t *testing.T) {
	w := newWorld(t)
	res := cmdtest.Run(t, w.env(), "sns", "chat", "u2@beta-im", "--from", "u1@alpha-im", "--text", "hi")
	res.Expect(t, 0)
	if !regexp.MustCompile(`(?m)^Message ID:   [0-9a-f]{16}@alpha-im$`).MatchString(res.Stdout) {
		t.Errorf("stdout:\n%s", res.Stdout)
	}
	body := string(w.peer.Requests()[0].Body)
	if !regexp.MustCompile(`"messageID":"[0-9a-f]{16}@alpha-im"`).MatchString(body) {
		t.Errorf("sent %s", body)
	}
	res = cmdtest.Run(t, w.env(), "sns", "chat", "u2@beta-im", "--from", "u1@alpha-im", "--text", "hi", "-o", "json")
	res.Expect(t, 0)
	if !regexp.MustCompile(`^Message ID: [0-9a-f]{16}@alpha-im\n$`).MatchString(res.Stderr) {
		t.Errorf("stderr: %q", res.Stderr)
	}
}

func TestByURL(t *testing.T) {
	w := newWorld(t)
	// The serverId is learned from the signed answer (two exchanges).
	res := cmdtest.Run(t, w.env(), "sns", "user", "u2@beta-im", "--url", w.peer.URL, "-o", "json", "-v")
	res.Expect(t, 0)
	if n := strings.Count(res.Stderr, "> GET "+w.peer.URL+"/sns/users?userID=u2%40beta-im\n"); n != 2 {
		t.Errorf("%d exchanges with the peer, want 2:\n%s", n, res.Stderr)
	}
	// Pinned with --to: one exchange.
	res = cmdtest.Run(t, w.env(), "sns", "user", "u2@beta-im", "--url", w.peer.URL, "--to", "beta-im", "-v")
	res.Expect(t, 0)
	if n := strings.Count(res.Stderr, "> GET "+w.peer.URL); n != 1 {
		t.Errorf("%d exchanges with the peer, want 1", n)
	}
}

func TestPeerCertWithoutMgmt(t *testing.T) {
	w := newWorld(t)
	certFile := filepath.Join(w.dir, "beta.crt")
	writeFile(t, certFile, w.beta.CertPEM())
	env := w.env()
	delete(env.Env, "IMICTL_MGMT")
	// The peer still needs to know us: its directory is the management
	// server's, which lists alpha-im.
	res := cmdtest.Run(t, env, "sns", "is-friend", "u2@beta-im", "--owner", "u1@alpha-im", "--url", w.peer.URL, "--peer-cert", certFile, "--insecure-no-crl")
	res.Expect(t, 0)
	res = cmdtest.Run(t, env, "sns", "is-friend", "u2@beta-im", "--owner", "u1@alpha-im", "--url", w.peer.URL, "--peer-cert", certFile)
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "revocation cannot be checked without the management server: pass --mgmt URL (or set IMICTL_MGMT), or --insecure-no-crl") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = cmdtest.Run(t, env, "sns", "is-friend", "u2@beta-im", "--owner", "u1@alpha-im", "--url", w.peer.URL, "--insecure-no-crl")
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "cannot authenticate the peer without its certificate: pass --mgmt URL (the directory) or --peer-cert FILE") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

func TestVerboseShowsBothMessages(t *testing.T) {
	w := newWorld(t)
	res := cmdtest.Run(t, w.env(), "sns", "chat", "u2@beta-im", "--from", "u1@alpha-im", "--text", "hi", "--message-id", "m1@alpha-im", "--verbose")
	res.Expect(t, 0)
	for _, want := range []string{
		"* signing as alpha-im with key " + w.files.Key,
		"* management server " + w.mgmt.URL,
		"> GET " + w.mgmt.URL + "/sns/restApi/crl",
		"> POST " + w.mgmt.URL + "/sns/restApi/managerserver/servers",
		"> POST " + w.peer.URL + "/sns/chat\n",
		"> Imi-Destination: beta-im\n",
		"> Signature-Input: imi=(",
		`> {"messageInfo":{"senderID":"u1@alpha-im"`,
		"< HTTP/1.1 200 OK\n",
		"< Imi-Origin: beta-im\n",
		"< Content-Digest: sm3=:",
		`< {"code":0,"error":""}`,
		"[body streamed", // never: only downloads stream
	} {
		if strings.Contains(res.Stderr, want) == (want == "[body streamed") {
			t.Errorf("stderr has %q: %v\n%s", want, want != "[body streamed", res.Stderr)
		}
	}
	if strings.Contains(res.Stderr, "PRIVATE KEY") {
		t.Error("the key leaked into the trace")
	}
}

// tableCase is an sns command line and the table it must print.
type tableCase struct {
	args []string
	want string
}

// expectTables runs each command against w and compares its stdout.
func (w *world) expectTables(t *testing.T, tests []tableCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			res := cmdtest.Run(t, w.env(), append([]string{"sns"}, tt.args...)...)
			res.Expect(t, 0)
			if res.Stdout != tt.want {
				t.Errorf("stdout:\n%q\nwant:\n%q", res.Stdout, tt.want)
			}
		})
	}
}

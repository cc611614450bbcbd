package sns_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Refusals before anything is sent: usage errors naming the flag, and the
// peer never sees a request.
func TestUsageErrors(t *testing.T) {
	w := newWorld(t)
	bad := filepath.Join(w.dir, "bad.json")
	writeFile(t, bad, []byte(`{"messageInfo":`))
	noKey := w.env()
	delete(noKey.Env, "IMICTL_KEY")
	tests := []struct {
		name string
		opts cmdtest.Options
		args []string
		want string
	}{
		{"missing key", noKey, []string{"user", "u2@beta-im"}, "missing the SM2 private key to sign with: pass --key FILE, set IMICTL_KEY"},
		{"no identity at all", cmdtest.Options{}, []string{"user", "u2@beta-im"}, "missing the certificate of the key to sign with: pass --cert FILE, set IMICTL_CERT"},
		{"malformed --data", w.env(), []string{"call", "POST", "chat", "--to", "beta-im", "--data", `{"a":`}, "--data is not valid JSON: unexpected end of JSON input (add --raw to send it all the same)"},
		{"malformed --data file", w.env(), []string{"call", "POST", "chat", "--to", "beta-im", "--data", "@" + bad}, "--data is not valid JSON"},
		{"bad method", w.env(), []string{"call", "G3T", "chat", "--to", "beta-im"}, `METHOD "G3T": want an HTTP method`},
		{"no peer", w.env(), []string{"call", "GET", "users", "-o", "json"}, "which peer? pass --to SERVERID or --url URL"},
		{"bad user id", w.env(), []string{"user", "nobody"}, `USERID "nobody": `},
		{"bad --to", w.env(), []string{"find-users", "a", "--to", "a.b"}, `--to: serverId "a.b" is invalid`},
		{"bad prefix", w.env(), []string{"find-users", "a", "--to", "beta-im", "--prefix", "/api"}, `--prefix "/api": want /sns or /sns/v1`},
		{"chat without text", w.env(), []string{"chat", "u2@beta-im", "--from", "u1@alpha-im"}, "a text message needs --text"},
		{"chat text with file flags", w.env(), []string{"chat", "u2@beta-im", "--from", "u1@alpha-im", "--text", "x", "--size", "3"}, "--size: not used by a text message"},
		{"chat file without id", w.env(), []string{"chat", "u2@beta-im", "--from", "u1@alpha-im", "--type", "file"}, "messageInfo.fileID: "},
		{"chat bad type", w.env(), []string{"chat", "u2@beta-im", "--from", "u1@alpha-im", "--type", "video"}, `--type "video": want text, image, voice, file or repeal`},
		{"repeal without id", w.env(), []string{"chat", "u2@beta-im", "--from", "u1@alpha-im", "--type", "repeal"}, "--type repeal needs --message-id"},
		{"chat without --from", w.env(), []string{"chat", "u2@beta-im", "--text", "x"}, `required flag(s) "from" not set`},
		{"respond without answer", w.env(), []string{"respond-friend", "u2@beta-im", "--owner", "u1@alpha-im"}, "pass --agree or --refuse"},
		{"download bad md5", w.env(), []string{"download", "f1@beta-im", "--out", "x", "--md5", "zz"}, `--md5 "zz": want 32 hex digits`},
		{"download -o with --out -", w.env(), []string{"download", "f1@beta-im", "--out", "-", "-o", "json"}, "with --out - the file itself is the output: drop -o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, tt.opts, append([]string{"sns"}, tt.args...)...)
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

func TestCallFailures(t *testing.T) {
	w := newWorld(t)
	// gamma-im is registered but does not know alpha-im (its own
	// directory lacks it): it refuses our requests, signed.
	gamma := w.ca.Server(t, "gamma-im")
	strict := clienttest.NewPeer(t, w.ca, gamma, clienttest.Directory(nil, gamma), peerHandler())
	w.mgmt.Register(gamma, strict.URL, httpsig.StatusNormal)
	// delta-im is registered but suspended.
	delta := w.ca.Server(t, "delta-im")
	suspended := clienttest.NewPeer(t, w.ca, delta, w.mgmt, peerHandler())
	w.mgmt.Register(delta, suspended.URL, httpsig.StatusSuspended)
	dead := w.ca.Server(t, "dead-im")
	w.mgmt.Register(dead, "http://127.0.0.1:1", httpsig.StatusNormal)

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr []string
		stdout string
	}{
		{"unknown peer", []string{"user", "u2@nobody-im"}, cmdutil.ExitNotFound,
			[]string{`imictl: unknown peer "nobody-im": the directory does not list it`}, ""},
		{"peer refuses us", []string{"user", "u2@gamma-im"}, cmdutil.ExitAuth,
			[]string{`gamma-im refused the request: unknown_server (HTTP 403): the directory has no server "alpha-im"`, "(reason: unknown_server)"}, ""},
		{"suspended peer", []string{"user", "u2@delta-im"}, cmdutil.ExitAuth,
			[]string{`request refused: server_suspended: the directory says "delta-im" has status 1 (suspended), not 0: not calling it`, "(reason: server_suspended)"}, ""},
		{"refused call", []string{"user", "u9@beta-im", "-o", "json"}, cmdutil.ExitFailure,
			[]string{"imictl: beta-im refused GET /sns/users?userID=u9%40beta-im: no such user (reason: user_not_found) [HTTP 404]"},
			"{\n  \"code\": 1,\n  \"error\": \"no such user\",\n  \"reason\": \"user_not_found\"\n}\n"},
		{"unreachable", []string{"user", "u2@dead-im"}, cmdutil.ExitUnavailable,
			[]string{"cannot reach dead-im (http://127.0.0.1:1) at http://127.0.0.1:1/sns/users?userID=u2%40dead-im"}, ""},
		{"raw call refused, answer shown", []string{"call", "GET", "users?userID=u9%40beta-im", "--to", "beta-im"}, cmdutil.ExitFailure,
			[]string{"reason: user_not_found"}, "{\n  \"code\": 1,\n  \"error\": \"no such user\",\n  \"reason\": \"user_not_found\"\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, w.env(), append([]string{"sns"}, tt.args...)...)
			res.Expect(t, tt.code)
			for _, want := range tt.stderr {
				if !strings.Contains(res.Stderr, want) {
					t.Errorf("stderr %q\nwant %q", res.Stderr, want)
				}
			}
			if res.Stdout != tt.stdout {
				t.Errorf("stdout %q\nwant %q", res.Stdout, tt.stdout)
			}
		})
	}
	if n := len(strict.Requests()) + len(suspended.Requests()); n != 0 {
		t.Errorf("%d requests were handled by peers that should have refused them", n)
	}
}

func TestTamperedAnswer(t *testing.T) {
	w := newWorld(t)
	w.peer.SetTamper(func(h http.Header, s int, b []byte) (int, []byte) {
		return s, []byte(strings.Replace(string(b), `"isFriend":1`, `"isFriend":2`, 1))
	})
	res := cmdtest.Run(t, w.env(), "sns", "is-friend", "u2@beta-im", "--owner", "u1@alpha-im", "-o", "json")
	res.Expect(t, cmdutil.ExitAuth)
	if !strings.Contains(res.Stderr, "response from beta-im failed authentication: digest_mismatch") || res.Stdout != "" {
		t.Errorf("stdout %q stderr %q", res.Stdout, res.Stderr)
	}
}

func TestRevokedPeer(t *testing.T) {
	w := newWorld(t)
	w.mgmt.SetCRL(w.ca.CRL(t, w.beta.Cert.SerialNumber))
	res := cmdtest.Run(t, w.env(), "sns", "user", "u2@beta-im")
	res.Expect(t, cmdutil.ExitAuth)
	if !strings.Contains(res.Stderr, "cert_revoked") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	// Skipping revocation is explicit.
	cmdtest.Run(t, w.env(), "sns", "user", "u2@beta-im", "--insecure-no-crl").Expect(t, 0)
}

func TestDownloadKeepsOnlyGoodFiles(t *testing.T) {
	w := newWorld(t)
	out := filepath.Join(w.dir, "f.txt")
	// Wrong md5: nothing kept.
	res := cmdtest.Run(t, w.env(), "sns", "download", "f1@beta-im", "--out", out, "--md5", strings.Repeat("0", 32))
	res.Expect(t, cmdutil.ExitFailure)
	if !strings.Contains(res.Stderr, "the file's md5 is "+fileMD5()+", not 00000000000000000000000000000000 as expected") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	// Altered on the way: nothing kept, exit 4.
	w.peer.SetTamper(func(h http.Header, s int, b []byte) (int, []byte) { return s, []byte(strings.ToUpper(string(b))) })
	res = cmdtest.Run(t, w.env(), "sns", "download", "f1@beta-im", "--out", out)
	res.Expect(t, cmdutil.ExitAuth)
	// Too large.
	w.peer.SetTamper(nil)
	res = cmdtest.Run(t, w.env(), "sns", "download", "f1@beta-im", "--out", out, "--max-size", "5")
	res.Expect(t, cmdutil.ExitFailure)
	if !strings.Contains(res.Stderr, "file too large") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "f.txt") || strings.HasPrefix(e.Name(), ".f.txt") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	// A good download, then a second one refuses to overwrite it.
	cmdtest.Run(t, w.env(), "sns", "download", "f1@beta-im", "--out", out).Expect(t, 0)
	res = cmdtest.Run(t, w.env(), "sns", "download", "f1@beta-im", "--out", out)
	res.Expect(t, cmdutil.ExitFailure)
	if !strings.Contains(res.Stderr, out+" already exists: pass --force") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	cmdtest.Run(t, w.env(), "sns", "download", "f1@beta-im", "--out", out, "--force").Expect(t, 0)
	// To standard output, the file itself.
	res = cmdtest.Run(t, w.env(), "sns", "download", "f1@beta-im", "--out", "-")
	res.Expect(t, 0)
	if res.Stdout != string(fileContent) || !strings.Contains(res.Stderr, "Downloaded 21 bytes from beta-im, md5 "+fileMD5()) {
		t.Errorf("stdout %q stderr %q", res.Stdout, res.Stderr)
	}
}

func TestRawCall(t *testing.T) {
	w := newWorld(t)
	data := filepath.Join(w.dir, "msg.json")
	// The source's own odd spelling goes out as written.
	writeFile(t, data, []byte(`{"messageInfo":{"senderID":"u1@alpha-im","recvID":"u2@beta-im","messagetype":"TEXT","version":"v1","type":"1","messageID":"m1@alpha-im","content":{"message":"hi"}}}`))
	res := cmdtest.Run(t, w.env(), "sns", "call", "post", "chat", "--to", "beta-im", "--data", "@"+data)
	res.Expect(t, 0)
	if res.Stdout != "{\n  \"code\": 0,\n  \"error\": \"\"\n}\n" {
		t.Errorf("stdout %q", res.Stdout)
	}
	if got := string(w.peer.Requests()[0].Body); got != string(cmdtest.ReadFile(t, data)) {
		t.Errorf("sent %s", got)
	}
	// From standard input, to an absolute path.
	res = cmdtest.Run(t, cmdtest.Options{Env: w.env().Env, Stdin: `{"userID":"u2@beta-im","ownerID":"u1@alpha-im"}`},
		"sns", "call", "POST", "/sns/v1/del/users", "--url", w.peer.URL, "-d", "@-", "-o", "table")
	res.Expect(t, 0)
	if !strings.Contains(res.Stdout, "Status:         200 OK\n") || w.peer.Requests()[1].Path != "/sns/v1/del/users" {
		t.Errorf("stdout %q", res.Stdout)
	}
	// --raw: bytes that are not JSON go out exactly as given, still signed
	// (the peer authenticated them), and the peer's refusal is shown.
	raw := []byte("{\"messageInfo\":\x00\xff not json")
	writeFile(t, data, raw)
	res = cmdtest.Run(t, w.env(), "sns", "call", "POST", "chat", "--to", "beta-im", "--raw", "--data", "@"+data)
	reqs := w.peer.Requests()
	if last := reqs[len(reqs)-1]; string(last.Body) != string(raw) || last.Origin != "alpha-im" || last.Header.Get("Content-Digest") != httpsig.ContentDigest(raw) {
		t.Errorf("--raw sent %q from %q with digest %q (exit %d, %s)", last.Body, last.Origin, last.Header.Get("Content-Digest"), res.Code, res.Stderr)
	}
	cmdtest.Run(t, w.env(), "sns", "call", "POST", "chat", "--to", "beta-im", "--raw").Expect(t, cmdutil.ExitUsage)
	// A file comes out as is.
	res = cmdtest.Run(t, w.env(), "sns", "call", "GET", "download/file?fileID=f1%40beta-im", "--to", "beta-im")
	res.Expect(t, 0)
	if res.Stdout != string(fileContent) {
		t.Errorf("stdout %q", res.Stdout)
	}
}

// A management server that does not answer: exit 6, before the peer is
// called; with --insecure-no-crl, the directory query fails the same way.
func TestMgmtUnreachable(t *testing.T) {
	w := newWorld(t)
	env := w.env()
	env.Env["IMICTL_MGMT"] = "http://127.0.0.1:1"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "u2@beta-im"}, "cannot check revocation: fetching the CRL: Get \"http://127.0.0.1:1/sns/restApi/crl\""},
		{[]string{"user", "u2@beta-im", "--insecure-no-crl"}, `looking "beta-im" up in the directory`},
	} {
		res := cmdtest.Run(t, env, append([]string{"sns"}, tc.args...)...)
		res.Expect(t, cmdutil.ExitUnavailable)
		if !strings.Contains(res.Stderr, tc.want) || !strings.Contains(res.Stderr, "connection refused") {
			t.Errorf("%v: stderr %q\nwant %q", tc.args, res.Stderr, tc.want)
		}
	}
	if n := len(w.peer.Requests()); n != 0 {
		t.Errorf("%d requests reached the peer", n)
	}
}

package bench_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/bench"
	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/im/imtest"
)

type report struct {
	Target, Endpoint, Stopped string
	Calls, OK, Failed         int
	PerSecond                 float64
	LatencyMs                 struct{ P50, P90, P99, Max float64 }
	Errors                    []struct {
		Reason  string
		Count   int
		Example string
	}
}

// imictl bench against the reference IM server "second", signing as the
// registered server "first": S1 by default, GET with --get, failures
// counted by reason, and every S1 message really stored.
func TestBenchAgainstReferenceServer(t *testing.T) {
	w := imtest.Start(t)
	first, second := w.IM(t, "first"), w.IM(t, "second")
	env := cmdtest.Options{Env: map[string]string{
		identity.EnvKey: first.Key, identity.EnvCert: first.Cert, identity.EnvRoot: first.Root, identity.EnvMgmt: w.Mgmt.URL(),
		identity.ConfigEnv: filepath.Join(t.TempDir(), "none.yaml"),
	}}
	cmdtest.Run(t, cmdtest.Options{}, "im", "user", "add", "bob", "--name", "Bob", "--data-dir", second.DataDir).Expect(t, 0)
	bench := func(code int, args ...string) report {
		t.Helper()
		res := cmdtest.Run(t, env, append(append([]string{"bench"}, args...), "-o", "json")...)
		res.Expect(t, code)
		for _, key := range []string{`"perSecond"`, `"latencyMs"`, `"p99"`, `"errors"`, `"stopped"`} {
			if !strings.Contains(res.Stdout, key) {
				t.Errorf("bench %v -o json lacks %s:\n%s", args, key, res.Stdout)
			}
		}
		if strings.Contains(res.Stdout, `"Reason"`) {
			t.Errorf("bench %v -o json has non-camelCase keys:\n%s", args, res.Stdout)
		}
		var r report
		if err := json.Unmarshal([]byte(res.Stdout), &r); err != nil {
			t.Fatalf("bench %v: %v\n%s", args, err, res.Stdout)
		}
		if res.Stderr != "" && code == 0 {
			t.Errorf("bench %v wrote to stderr, not a terminal: %q", args, res.Stderr)
		}
		return r
	}

	r := bench(0, "second", "--to-user", "bob@second", "-c", "4", "-n", "40")
	if r.Endpoint != "S1 POST chat" || r.Calls != 40 || r.OK != 40 || r.Failed != 0 || r.Stopped != "count" || r.PerSecond <= 0 ||
		r.LatencyMs.P50 <= 0 || r.LatencyMs.P50 > r.LatencyMs.P99 || r.LatencyMs.P99 > r.LatencyMs.Max || r.Errors == nil {
		t.Errorf("S1 run: %+v", r)
	}
	var inbox []json.RawMessage
	res := cmdtest.Run(t, cmdtest.Options{}, "im", "inbox", "bob", "-o", "json", "--data-dir", second.DataDir)
	res.Expect(t, 0)
	if err := json.Unmarshal([]byte(res.Stdout), &inbox); err != nil || len(inbox) != 40 {
		t.Errorf("bob's inbox holds %d messages (%v), want the 40 sent", len(inbox), err)
	}

	r = bench(0, second.URL, "--get", "users?userID=bob%40second", "-c", "2", "-n", "0", "--duration", "200ms")
	if r.Endpoint != "GET users?userID=bob%40second" || r.Calls == 0 || r.Failed != 0 || r.Stopped != "duration" {
		t.Errorf("GET run: %+v", r)
	}

	// A refused call is counted by the peer's reason, and the exit code says some failed.
	r = bench(1, "second", "--to-user", "nobody@second", "-n", "3")
	if r.Failed != 3 || len(r.Errors) != 1 || r.Errors[0].Count != 3 || r.Errors[0].Reason != "unknown_user" || r.Errors[0].Example == "" {
		t.Errorf("refused run: %+v", r)
	}

	// A peer the directory does not list: nothing is run.
	res = cmdtest.Run(t, env, "bench", "nosuch-im", "--to-user", "bob@nosuch-im", "-n", "2")
	res.Expect(t, 7)
	if res.Stdout != "" || !strings.Contains(res.Stderr, "nosuch-im") {
		t.Errorf("unknown peer: stdout %q, stderr %q", res.Stdout, res.Stderr)
	}

	// The table, for a person.
	res = cmdtest.Run(t, env, "bench", "second", "--to-user", "bob@second", "-n", "2")
	res.Expect(t, 0)
	for _, want := range []string{"Endpoint:", "S1 POST chat", "2 (2 ok, 0 failed)", "stopped by count", "Throughput:", "p99"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, res.Stdout)
		}
	}
}

func TestBenchUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "accepts 1 arg"},
		{[]string{"beta-im"}, "--to-user"},
		{[]string{"not a server"}, "TARGET"},
		{[]string{"http://u:p@127.0.0.1:1"}, "TARGET"},
		{[]string{"beta-im", "--to-user", "bob@beta-im", "-n", "0", "--duration", "0"}, "never stop"},
		{[]string{"beta-im", "--to-user", "bob@beta-im", "-c", "0"}, "--concurrency"},
		{[]string{"beta-im", "--to-user", "bob@beta-im", "--rate", "-1"}, "--rate"},
		{[]string{"beta-im", "--to-user", "bob"}, "--to-user"},
		{[]string{"beta-im", "--get", "users", "--to-user", "bob@beta-im"}, "S1 only"},
		{[]string{"beta-im", "--get", "a b"}, "--get"},
	} {
		res := cmdtest.Run(t, cmdtest.Options{}, append([]string{"bench"}, tc.args...)...)
		res.Expect(t, 2)
		if !strings.Contains(res.Stderr, tc.want) {
			t.Errorf("bench %v: stderr %q, want it to mention %q", tc.args, res.Stderr, tc.want)
		}
	}
}

// The flags reach the options as given; TARGET picks serverId or URL.
func TestBenchOptions(t *testing.T) {
	f, _, _ := cmdtest.NewFactory(cmdtest.Options{})
	var got *bench.Options
	cmd := bench.NewCmdBench(f, func(o *bench.Options) error { got = o; return nil })
	cmd.SetArgs([]string{"http://127.0.0.1:8441", "--get", "users?userID=a%40b", "-c", "3", "--rate", "50", "-n", "7", "--duration", "2s"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Peer.URL != "http://127.0.0.1:8441" || got.Peer.To != "" || got.Load.Concurrency != 3 || got.Load.Rate != 50 || got.Load.Count != 7 || got.Load.Duration.String() != "2s" {
		t.Errorf("options %+v", got)
	}
}

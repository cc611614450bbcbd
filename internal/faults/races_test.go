package faults

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// race runs the imictl commands of args at the same time and returns
// their results in the same order.
func race(t *testing.T, args ...[]string) []result {
	t.Helper()
	out := make([]result, len(args))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, a := range args {
		wg.Go(func() { <-start; out[i] = run(t, a...) })
	}
	close(start)
	wg.Wait()
	return out
}

// oneWins checks that exactly one of results succeeded and that the others
// were refused with a message containing why; it returns the loser.
func oneWins(t *testing.T, what string, results []result, why string) result {
	t.Helper()
	var won, lost []result
	for _, r := range results {
		if r.code == 0 {
			won = append(won, r)
		} else {
			lost = append(lost, r)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%s: %d of %d won, want exactly one: %+v", what, len(won), len(results), results)
	}
	for _, r := range lost {
		if !strings.HasPrefix(r.stderr, "imictl: ") || !strings.Contains(r.stderr, why) {
			t.Errorf("%s: the loser (exit %d) was told %q, want a reason containing %q", what, r.code, r.stderr, why)
		}
	}
	return lost[0]
}

// Two administrators approve one request at once, through the running
// management server and then, with it stopped, on its database directly.
func TestConcurrentApprovals(t *testing.T) {
	w := newWorld(t)
	for _, running := range []bool{true, false} {
		name := "offline"
		if running {
			name = "running"
		}
		t.Run(name, func(t *testing.T) {
			s := &im{id: "im-" + name, dataDir: filepath.Join(w.dir, "im-"+name), addr: freeAddr(t)}
			writeConfig(t, s.dataDir, `{"serverId": "`+s.id+`", "address": "http://`+s.addr+`", "listen": "`+s.addr+`", "mgmtURL": "`+w.mgmtURL+`"}`)
			req := w.apply(s)
			if !running {
				w.mgmt.stop() // the admin commands now open the database themselves
			}
			approve := []string{"admin", "approve", req, "--data-dir", w.mgmtDir}
			loser := oneWins(t, "approve "+req, race(t, approve, approve), "approved")
			t.Logf("%s: one approval won; the other exited %d: %s", name, loser.code, strings.TrimSpace(loser.stderr))
		})
	}
}

// Two administrators revoke one certificate at once.
func TestConcurrentRevocations(t *testing.T) {
	w := newWorld(t)
	w.addIM("alpha")
	var certs []struct {
		Serial, ServerID, Status string
	}
	out := must(t, "ca", "list", "--data-dir", w.mgmtDir, "-o", "json")
	if err := json.Unmarshal([]byte(out), &certs); err != nil {
		t.Fatal(err)
	}
	serial := ""
	for _, c := range certs {
		if c.ServerID == "alpha" {
			serial = c.Serial
		}
	}
	if serial == "" {
		t.Fatalf("no certificate of alpha in %s", out)
	}
	revoke := []string{"ca", "revoke", serial, "--reason", "keyCompromise", "--yes", "--data-dir", w.mgmtDir}
	loser := oneWins(t, "revoke "+serial, race(t, revoke, revoke), "revoked")
	t.Logf("one revocation won; the other exited %d: %s", loser.code, strings.TrimSpace(loser.stderr))
}

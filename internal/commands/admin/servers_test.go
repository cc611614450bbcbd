package admin_test

import (
	"os"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/admin"
	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

func TestServers(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := newWorld(t, m.stop, mgmttest.Options{})
			res := w.run(t, "admin", "servers", "-o", "json")
			res.Expect(t, 0)
			list := decode[[]admin.Server](t, res)
			if len(list) != 2 || list[0].ServerID != "alpha-im" || list[1].ServerID != "beta-im" {
				t.Fatalf("servers: %+v", list)
			}
			a := list[0]
			if a.Status != "normal" || a.CertSerial != pki.SerialHex(w.alpha.Cert.SerialNumber) || a.OwnerID != "owner-alpha-im" || a.ContactMobile != "+86 135-0000-1111" {
				t.Errorf("alpha-im: %+v", a)
			}
			res = w.run(t, "admin", "servers", "beta-im", "-o", "json")
			res.Expect(t, 0)
			if got := decode[admin.Server](t, res); got.ServerID != "beta-im" || got.ServerName != "beta-im IM" {
				t.Errorf("beta-im: %+v", got)
			}
			res = w.run(t, "admin", "servers")
			res.Expect(t, 0)
			if !strings.HasPrefix(res.Stdout, "SERVERID   NAME          STATUS   ADDRESS") || !strings.Contains(res.Stdout, "beta-im    beta-im IM    normal   http://127.0.0.1:1") {
				t.Errorf("table:\n%s", res.Stdout)
			}

			// Suspension needs --yes without a terminal.
			res = w.run(t, "admin", "suspend", "alpha-im")
			res.Expect(t, 2)
			if !strings.Contains(res.Stderr, "Suspend alpha-im (alpha-im IM)? Its signed calls will be refused until it is resumed: confirmation needed") {
				t.Errorf("stderr: %s", res.Stderr)
			}
			if st := serverStatus(t, w, "alpha-im"); st != store.StatusNormal {
				t.Fatalf("alpha-im is %s after a refused suspend", st)
			}
			res = w.run(t, "admin", "suspend", "alpha-im", "--yes", "-o", "json")
			res.Expect(t, 0)
			if got := decode[admin.Server](t, res); got.Status != "suspended" {
				t.Errorf("suspended: %+v", got)
			}
			res = w.run(t, "admin", "suspend", "alpha-im", "--yes")
			res.Expect(t, 1)
			if !strings.Contains(res.Stderr, "server alpha-im has status 1 (suspended), not 0 (normal); nothing was changed (reason: status_conflict)") {
				t.Errorf("stderr: %s", res.Stderr)
			}
			res = w.run(t, "admin", "servers", "--status", "suspended", "-o", "json")
			res.Expect(t, 0)
			if got := decode[[]admin.Server](t, res); len(got) != 1 || got[0].ServerID != "alpha-im" {
				t.Errorf("--status suspended: %+v", got)
			}
			res = w.run(t, "admin", "resume", "alpha-im", "--yes", "--reviewer", "bob", "-o", "json")
			res.Expect(t, 0)
			if got := decode[admin.Server](t, res); got.Status != "normal" {
				t.Errorf("resumed: %+v", got)
			}
			res = w.run(t, "admin", "resume", "alpha-im")
			res.Expect(t, 1)
			if !strings.Contains(res.Stderr, "(reason: status_conflict)") {
				t.Errorf("stderr: %s", res.Stderr)
			}

			// The audit log says who did it.
			res = w.run(t, "admin", "audit", "--subject", "alpha-im", "-o", "json")
			res.Expect(t, 0)
			var actions []string
			for _, e := range decode[[]store.AuditEntry](t, res) {
				actions = append(actions, e.Actor+" "+e.Action)
			}
			if got, want := strings.Join(actions, ", "), "admin:mgmttest server.create, "+osActor(t)+" server.suspend, bob server.resume, bob outbox.retry"; got != want {
				t.Errorf("audit: %s\nwant %s", got, want)
			}
		})
	}
}

func TestServersBadInput(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := newWorld(t, m.stop, mgmttest.Options{})
			tests := []struct {
				name string
				args []string
				code int
				want string
			}{
				{"suspend unknown", []string{"admin", "suspend", "nobody-im", "--yes"}, 7, `no server "nobody-im"`},
				{"resume unknown", []string{"admin", "resume", "nobody-im"}, 7, `no server "nobody-im"`},
				{"show unknown", []string{"admin", "servers", "nobody-im"}, 7, `no server "nobody-im"`},
				{"malformed serverId", []string{"admin", "suspend", "bad id", "--yes"}, 2, `invalid serverId "bad id"`},
				{"bad status", []string{"admin", "servers", "--status", "gone"}, 2, `invalid --status "gone"`},
			}
			for _, tt := range tests {
				res := w.run(t, tt.args...)
				if res.Code != tt.code || !strings.Contains(res.Stderr, tt.want) {
					t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, res.Code, res.Stderr, tt.code, tt.want)
				}
			}
			for _, id := range []string{"alpha-im", "beta-im"} {
				if st := serverStatus(t, w, id); st != store.StatusNormal {
					t.Errorf("%s is %s", id, st)
				}
			}
		})
	}
}

func serverStatus(t *testing.T, w *world, id string) store.Status {
	t.Helper()
	var st store.Status
	w.Check(t, func(adm mgmt.Admin) {
		s, err := adm.Server(bg, id)
		if err != nil {
			t.Fatal(err)
		}
		st = s.Status
	})
	return st
}

// A server that holds the database but whose admin socket is gone (moved,
// deleted) is reported as such, with what to do, and exit 6: the command
// neither hangs nor opens the database.
func TestLockedDatabase(t *testing.T) {
	w := newWorld(t, false, mgmttest.Options{})
	if err := os.Remove(mgmt.SocketPath(w.DataDir)); err != nil {
		t.Fatal(err)
	}
	res := w.run(t, "admin", "requests")
	res.Expect(t, 6)
	for _, want := range []string{
		"database in use: the database " + mgmt.DBPath(w.DataDir) + " is held by a running process",
		"there is no admin socket " + mgmt.SocketPath(w.DataDir),
		"if the server is starting, retry in a moment; otherwise stop the process holding the file",
		"(reason: database_locked)",
	} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.Stderr)
		}
	}
}

// A data directory without a database says so and what to do.
func TestNoDatabase(t *testing.T) {
	res := cmdtest.Run(t, cmdtest.Options{Env: map[string]string{cmdutil.DataDirEnv: t.TempDir()}}, "admin", "servers")
	res.Expect(t, 1)
	if !strings.Contains(res.Stderr, "no management database at ") || !strings.Contains(res.Stderr, "check --data-dir (or IMICTL_DATA_DIR)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
}

// On a terminal, suspension asks; "no" changes nothing and exits 3.
func TestSuspendConfirm(t *testing.T) {
	w := newWorld(t, false, mgmttest.Options{})
	question := "Suspend alpha-im (alpha-im IM)? Its signed calls will be refused until it is resumed"
	for _, tt := range []struct {
		answer string
		code   int
		want   store.Status
	}{{"no", 3, store.StatusNormal}, {"yes", 0, store.StatusSuspended}} {
		o := w.Opts()
		o.TTY = true
		p := prompt.NewScripted(prompt.Answer{Title: question, Value: tt.answer})
		o.Prompter = p
		cmdtest.Run(t, o, "admin", "suspend", "alpha-im").Expect(t, tt.code)
		if err := p.Done(); err != nil {
			t.Error(err)
		}
		if st := serverStatus(t, w, "alpha-im"); st != tt.want {
			t.Errorf("after %q: %s", tt.answer, st)
		}
	}
}

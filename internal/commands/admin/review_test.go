package admin_test

import (
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/admin"
	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/mgmtutil/mgmttest"
	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

func TestRequests(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := newWorld(t, m.stop, mgmttest.Options{})
			res := w.run(t, "admin", "requests", "-o", "json")
			res.Expect(t, 0)
			pending := decode[[]admin.Request](t, res)
			if got := ids(pending); got != "req-3 req-4" {
				t.Fatalf("pending: %s", got)
			}
			p := pending[0]
			if p.ServerID != "gamma-im" || p.State != "pending" || p.Kind != "new" || p.Fields["contactEmail"] != "ops@gamma-im.example.com" ||
				len(p.Fields) != 8 || p.PublicKeyFingerprints == nil || !strings.HasPrefix(p.CSR, "-----BEGIN CERTIFICATE REQUEST-----") ||
				p.SubmittedBy != "applicant:gamma-im" || p.Reviewer != "" || !p.DecidedAt.IsZero() {
				t.Errorf("request: %+v", p)
			}
			csr, _ := pki.ParseCSR([]byte(p.CSR))
			if *p.PublicKeyFingerprints != key.FingerprintsOf(csr.RawSubjectPublicKeyInfo) {
				t.Error("wrong public key fingerprints")
			}

			for _, tt := range []struct {
				args []string
				want string
			}{
				{[]string{"--state", "all"}, "req-1 req-2 req-3 req-4"},
				{[]string{"--state", "approved", "--server-id", "beta-im"}, "req-2"},
				{[]string{"--kind", "submit"}, "req-3 req-4"},
				{[]string{"--kind", "cancel", "--state", "all"}, ""},
			} {
				res = w.run(t, append([]string{"admin", "requests", "-o", "json"}, tt.args...)...)
				res.Expect(t, 0)
				if got := ids(decode[[]admin.Request](t, res)); got != tt.want {
					t.Errorf("%v: %q, want %q", tt.args, got, tt.want)
				}
			}
			res = w.run(t, "admin", "requests")
			res.Expect(t, 0)
			if !strings.HasPrefix(res.Stdout, "ID      KIND   SERVERID   STATE     SUBMITTED") || !strings.Contains(res.Stdout, "req-3   new    gamma-im   pending   ") {
				t.Errorf("table:\n%s", res.Stdout)
			}
			res = w.run(t, "admin", "requests", "req-1")
			res.Expect(t, 0)
			for _, want := range []string{"Id:", "req-1", "State:", "approved", "Decided:", "by admin:mgmttest", "Certificate:", pki.SerialHex(w.alpha.Cert.SerialNumber)} {
				if !strings.Contains(res.Stdout, want) {
					t.Errorf("details lack %q:\n%s", want, res.Stdout)
				}
			}
		})
	}
}

func TestApproveReject(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := newWorld(t, m.stop, mgmttest.Options{})
			res := w.run(t, "admin", "approve", "req-3", "--yes", "--reason", "checked by phone", "-o", "json")
			res.Expect(t, 0)
			a := decode[admin.Request](t, res)
			if a.State != "approved" || a.Reviewer != osActor(t) || a.Reason != "checked by phone" || a.ResultSerial == "" || a.DecidedAt.IsZero() {
				t.Errorf("approved: %+v", a)
			}
			if !strings.Contains(res.Stderr, "Approved req-3: gamma-im is registered with certificate "+a.ResultSerial) {
				t.Errorf("stderr: %s", res.Stderr)
			}
			// Both ways an applicant gets its certificate: by hand, or a
			// serve --im that polls for it.
			if !strings.Contains(res.Stderr, "`imictl register status req-3 --cert-out FILE`") || !strings.Contains(res.Stderr, "`imictl serve --im` waiting for approval, the server fetches it itself") {
				t.Errorf("the advice does not name both ways to get the certificate: %s", res.Stderr)
			}
			res = w.run(t, "admin", "reject", "req-4", "-y", "--reason", "unknown vendor", "--reviewer", "alice", "-o", "json")
			res.Expect(t, 0)
			if r := decode[admin.Request](t, res); r.State != "rejected" || r.Reviewer != "alice" || r.Reason != "unknown vendor" || r.ResultSerial != "" {
				t.Errorf("rejected: %+v", r)
			}
			w.Check(t, func(adm mgmt.Admin) {
				s, err := adm.Server(bg, "gamma-im")
				if err != nil || s.Status != store.StatusNormal || s.CertSerial != a.ResultSerial {
					t.Errorf("gamma-im: %+v, %v", s, err)
				}
				if _, err := adm.Server(bg, "delta-im"); err == nil {
					t.Error("delta-im was registered")
				}
			})
		})
	}
}

func TestDecideBadInput(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := newWorld(t, m.stop, mgmttest.Options{})
			before := w.Applications(t)
			tests := []struct {
				name string
				args []string
				code int
				want string
			}{
				{"approve unknown", []string{"admin", "approve", "req-99"}, 7, `no application "req-99"`},
				{"approve decided", []string{"admin", "approve", "req-1"}, 1, "application req-1 was already approved by admin:mgmttest; nothing was changed (reason: already_decided)"},
				{"reject decided", []string{"admin", "reject", "req-2", "--reason", "late"}, 1, "(reason: already_decided)"},
				{"reject without reason", []string{"admin", "reject", "req-3"}, 2, "--reason is required (no terminal to ask for it)"},
				{"reject unknown", []string{"admin", "reject", "req-99", "--reason", "x"}, 7, `no application "req-99"`},
				{"approve two", []string{"admin", "approve", "req-3", "req-4"}, 2, "accepts 1 arg(s), received 2"},
				{"bad state", []string{"admin", "requests", "--state", "done"}, 2, `invalid --state "done"`},
				{"bad kind", []string{"admin", "requests", "--kind", "renew"}, 2, `invalid --kind "renew"`},
				{"show unknown", []string{"admin", "requests", "req-99"}, 7, `no application "req-99"`},
			}
			for _, tt := range tests {
				res := w.run(t, tt.args...)
				if res.Code != tt.code || !strings.Contains(res.Stderr, tt.want) {
					t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, res.Code, res.Stderr, tt.code, tt.want)
				}
			}
			if after := w.Applications(t); !sameApplications(before, after) {
				t.Errorf("applications changed:\n%+v\n%+v", before, after)
			}
		})
	}
}

// On a terminal, reject asks for the reason.
func TestRejectPrompt(t *testing.T) {
	w := newWorld(t, false, mgmttest.Options{})
	opts := w.Opts()
	opts.TTY = true
	opts.Prompter = prompt.NewScripted(prompt.Answer{Title: "Reason (shown to the applicant)", Value: "no contract"})
	res := cmdtest.Run(t, opts, "admin", "reject", "req-3", "-o", "json")
	res.Expect(t, 0)
	if r := decode[admin.Request](t, res); r.Reason != "no contract" {
		t.Errorf("rejected: %+v", r)
	}
}

// Approving on a stopped server needs the CA key: without its password
// nothing changes.
func TestApproveEncryptedCAStopped(t *testing.T) {
	w := newWorld(t, true, mgmttest.Options{Encrypted: true})
	wrong := w.WriteFile(t, "wrong", []byte("not it\n"))
	right := w.WriteFile(t, "right", []byte(mgmttest.CAPassword+"\n"))
	res := w.run(t, "admin", "approve", "req-3")
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "pass --ca-password-file FILE") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = w.run(t, "admin", "approve", "req-3", "--ca-password-file", wrong)
	res.Expect(t, 4)
	if !strings.Contains(res.Stderr, "(reason: bad_password)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	if st := w.Applications(t)[2].State; st != store.StatePending {
		t.Fatalf("req-3 is %s after refused approvals", st)
	}
	res = w.run(t, "admin", "approve", "req-3", "--ca-password-file", right, "-o", "json")
	res.Expect(t, 0)
	// Rejecting needs no key.
	w.run(t, "admin", "reject", "req-4", "--reason", "no").Expect(t, 0)
}

func ids(reqs []admin.Request) string {
	var s []string
	for _, r := range reqs {
		s = append(s, r.ID)
	}
	return strings.Join(s, " ")
}

func sameApplications(a, b []store.Application) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].State != b[i].State || a[i].Reviewer != b[i].Reviewer {
			return false
		}
	}
	return true
}

package register_test

import (
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/mgmt/store"
)

func TestSubmit(t *testing.T) {
	w := newWorld(t)
	a := w.NewApplicant(t, "beta-im")
	res := cmdtest.Run(t, w.opts(), append(submitArgs(a), "--type", "IM", "--area", "Beijing", "-o", "json")...)
	res.Expect(t, 0)
	if res.Stdout != "{\n  \"requestId\": \"req-2\"\n}\n" {
		t.Errorf("stdout %q", res.Stdout)
	}
	if !strings.Contains(res.Stderr, "Follow it with: imictl register status req-2 --server-id beta-im --key FILE") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	apps := w.Applications(t)
	got := apps[len(apps)-1]
	want := store.ServerFields{ServerName: "beta-im IM", ServerAddress: "https://im.beta-im.example.com", ContactName: "Ops beta-im",
		ContactEmail: "ops@beta-im.example.com", ContactMobile: "+86 135-0000-1111", ServerType: "IM", Area: "Beijing", OwnerID: "owner-beta-im"}
	if got.ID != "req-2" || got.ServerID != "beta-im" || got.Kind != store.KindNew || got.Fields != want || string(got.CSR) != string(a.CSR) {
		t.Errorf("application: %+v", got)
	}
}

// Without a terminal, every missing field is named at once, and nothing is
// sent.
func TestSubmitMissing(t *testing.T) {
	w := newWorld(t)
	res := cmdtest.Run(t, w.opts(), "register", "submit", "--name", "X")
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "imictl: missing required flags --server-id, --address, --contact-name, --contact-email, --contact-mobile, --owner-id, --csr (no terminal to ask for them)") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	a := w.NewApplicant(t, "beta-im")
	noMgmt := w.opts()
	delete(noMgmt.Env, identity.EnvMgmt)
	res = cmdtest.Run(t, noMgmt, "register", "submit", "--csr", a.CSRFile)
	res.Expect(t, 2)
	if !strings.Contains(res.Stderr, "missing required flags --name, --address, --contact-name, --contact-email, --contact-mobile, --owner-id, --mgmt") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	if n := len(w.Applications(t)); n != 1 {
		t.Errorf("%d applications, want 1", n)
	}
}

// On a terminal, the missing fields are asked for on one form.
func TestSubmitPrompt(t *testing.T) {
	w := newWorld(t)
	a := w.NewApplicant(t, "beta-im")
	o := w.opts()
	o.TTY = true
	p := prompt.NewScripted(
		prompt.Answer{Title: "address", Value: "https://im.beta.example.com"},
		prompt.Answer{Title: "contact-name", Value: "Li Lei"},
		prompt.Answer{Title: "contact-email", Value: "li@beta.example.com"},
		prompt.Answer{Title: "contact-mobile", Value: "13500001111"},
		prompt.Answer{Title: "owner-id", Value: "beta"},
	)
	o.Prompter = p
	res := cmdtest.Run(t, o, "register", "submit", "--csr", a.CSRFile, "--name", "Beta IM", "-o", "json")
	res.Expect(t, 0)
	if err := p.Done(); err != nil {
		t.Error(err)
	}
	apps := w.Applications(t)
	if f := apps[len(apps)-1].Fields; f.ContactName != "Li Lei" || f.ServerAddress != "https://im.beta.example.com" || f.OwnerID != "beta" {
		t.Errorf("fields: %+v", f)
	}
}

func TestSubmitBadInput(t *testing.T) {
	w := newWorld(t)
	beta := w.NewApplicant(t, "beta-im")
	gamma := w.NewApplicant(t, "gamma-im")
	pendingID := w.NewApplicant(t, "pending-im")
	w.Submit(t, pendingID)
	retired := w.Register(t, "old-im")
	cancel, err := w.Service().Cancel(bg, "old-im", cancelReq("old-im"))
	if err != nil {
		t.Fatal(err)
	}
	w.approve(t, cancel.ID)
	brokenCSR := w.WriteFile(t, "broken.csr", tamperCSR(t, beta.CSR))
	with := func(a []string, extra ...string) []string { return append(append([]string{}, a...), extra...) }
	set := func(a []string, flag, value string) []string {
		out := with(a)
		for i := range out {
			if out[i] == flag {
				out[i+1] = value
			}
		}
		return out
	}
	before := len(w.Applications(t))
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"malformed serverId", with(submitArgs(beta), "--server-id", "beta im"), 2, `invalid --server-id: `},
		{"csr for another serverId", with(submitArgs(beta), "--server-id", "gamma-im"), 1, `names serverId "beta-im", not "gamma-im"`},
		{"csr with a broken signature", set(submitArgs(beta), "--csr", brokenCSR), 1, "(reason: invalid_csr)"},
		{"not a csr", set(submitArgs(beta), "--csr", w.Root), 1, "(reason: invalid_csr)"},
		{"missing csr file", set(submitArgs(beta), "--csr", "/nonexistent.csr"), 1, "cannot read /nonexistent.csr"},
		{"bad e-mail", set(submitArgs(beta), "--contact-email", "ops at example"), 2, `invalid --contact-email: want a bare address like ops@example.com, got "ops at example"`},
		{"bad address", set(submitArgs(beta), "--address", "im.example.com"), 2, `invalid --address: want a base URL like https://im.example.com:443`},
		{"bad mobile", set(submitArgs(beta), "--contact-mobile", "call me"), 2, `invalid --contact-mobile: want a phone number`},
		{"control character", set(submitArgs(beta), "--name", "Beta\x1b[31m"), 2, `invalid --name: contains a control character`},
		{"bad mgmt URL", with(submitArgs(beta), "--mgmt", "mgmt.example.com"), 2, `invalid --mgmt: want the management server's base URL`},
		{"pending application", submitArgs(pendingID), 1, "server pending-im already has a pending application req-2; wait for its review, or ask an administrator to reject it (reason: pending_application)"},
		{"registered serverId", submitArgs(w.alpha.Applicant), 1, "alpha-im is taken; choose another serverId (reason: server_exists)"},
		{"cancelled serverId", submitArgs(retired.Applicant), 1, "old-im belonged to a cancelled server and can never be used again; choose another serverId (reason: server_id_retired)"},
		{"key of another CSR", with(submitArgs(beta), "--key", gamma.KeyFile), 2, "is not the key of the CSR"},
		{"wait without key", with(submitArgs(beta), "--wait"), 2, "--wait follows the application with calls signed with the CSR's key: add --key FILE"},
		{"cert-out without wait", with(submitArgs(beta), "--cert-out", "x.crt"), 2, "--cert-out needs --wait"},
	}
	for _, tt := range tests {
		res := cmdtest.Run(t, w.opts(), tt.args...)
		if res.Code != tt.code || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, res.Code, res.Stderr, tt.code, tt.want)
		}
	}
	if after := len(w.Applications(t)); after != before {
		t.Errorf("%d applications after the refusals, want %d", after, before)
	}
}

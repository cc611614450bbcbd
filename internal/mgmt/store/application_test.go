package store

import (
	"errors"
	"strings"
	"testing"
)

func TestSubmitNew(t *testing.T) {
	s, c := openTest(t)
	in := newApp("alpha")
	in.State, in.Reviewer, in.ID = StateApproved, "forged", "req-99" // output fields are ignored
	a, err := s.Submit("owner-alpha", in)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "req-1" || a.State != StatePending || a.Reviewer != "" || a.SubmittedBy != "owner-alpha" || !a.SubmittedAt.Equal(c.Now()) {
		t.Fatalf("stored %+v", a)
	}
	got, err := s.GetApplication("req-1")
	if err != nil || got.Fields != in.Fields || string(got.CSR) != string(in.CSR) {
		t.Fatalf("read back %+v, %v", got, err)
	}
	audit, _ := s.Audit(AuditFilter{})
	if len(audit) != 1 || audit[0].Action != ActionSubmit || audit[0].Subject != "req-1" || audit[0].Actor != "owner-alpha" {
		t.Fatalf("audit %+v", audit)
	}
}

func TestSubmitRefused(t *testing.T) {
	s, _ := openTest(t)
	register(t, s, "taken")
	register(t, s, "gone")
	cancel(t, s, "gone")
	register(t, s, "busy")
	if _, err := s.Submit("owner", Application{Kind: KindModify, ServerID: "busy", Changed: []string{"area"}}); err != nil {
		t.Fatal(err)
	}
	modify := func(changed []string, f func(*ServerFields)) Application {
		a := Application{Kind: KindModify, ServerID: "taken", Fields: fields("taken"), Changed: changed}
		if f != nil {
			f(&a.Fields)
		}
		return a
	}
	tests := []struct {
		name    string
		actor   string
		app     Application
		want    error
		message string
	}{
		{"empty actor", "", newApp("fresh"), ErrInvalid, "invalid actor: empty"},
		{"bad serverId", "o", newApp("bad id!"), ErrInvalid, `invalid serverId: bad serverId "bad id!": use 1-64 letters`},
		{"long serverId", "o", newApp(strings.Repeat("a", 65)), ErrInvalid, "invalid serverId"},
		{"missing required field", "o", func() Application { a := newApp("fresh"); a.Fields.ContactEmail = ""; return a }(), ErrInvalid, "invalid contactEmail: required for registration"},
		{"missing owner", "o", func() Application { a := newApp("fresh"); a.Fields.OwnerID = ""; return a }(), ErrInvalid, "invalid ownerId"},
		{"missing CSR", "o", func() Application { a := newApp("fresh"); a.CSR = nil; return a }(), ErrInvalid, "invalid csr"},
		{"changed on new", "o", func() Application { a := newApp("fresh"); a.Changed = []string{"area"}; return a }(), ErrInvalid, "invalid changed"},
		{"unknown kind", "o", func() Application { a := newApp("fresh"); a.Kind = "renew"; return a }(), ErrInvalid, `invalid kind: "renew"`},
		{"modify nothing", "o", modify(nil, nil), ErrInvalid, "at least one field"},
		{"modify serverId", "o", modify([]string{"serverId"}, nil), ErrInvalid, `unknown field "serverId"`},
		{"modify field twice", "o", modify([]string{"area", "area"}, nil), ErrInvalid, "named twice"},
		{"modify clears required", "o", modify([]string{"serverName"}, func(f *ServerFields) { f.ServerName = "" }), ErrInvalid, "invalid serverName: required"},
		{"note too long", "o", Application{Kind: KindCancel, ServerID: "taken", Note: strings.Repeat("n", 1025)}, ErrInvalid, "invalid note: longer than 1024 bytes"},
		{"cancel with CSR", "o", Application{Kind: KindCancel, ServerID: "taken", CSR: []byte("x")}, ErrInvalid, "no CSR"},
		{"duplicate serverId", "o", newApp("taken"), ErrServerExists, "taken is taken"},
		{"retired serverId", "o", newApp("gone"), ErrServerIDRetired, "can never be used again"},
		{"modify cancelled server", "o", Application{Kind: KindModify, ServerID: "gone", Changed: []string{"area"}}, ErrServerIDRetired, "gone"},
		{"modify unknown server", "o", Application{Kind: KindModify, ServerID: "nobody", Changed: []string{"area"}}, ErrNotFound, `no server "nobody"`},
		{"cancel unknown server", "o", Application{Kind: KindCancel, ServerID: "nobody"}, ErrNotFound, "nobody"},
		{"second pending", "o", Application{Kind: KindCancel, ServerID: "busy"}, ErrPendingApplication, "server busy already has a pending application req-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			_, err := s.Submit(tt.actor, tt.app)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("got %v, want %v containing %q", err, tt.want, tt.message)
			}
			assertUnchanged(t, before, dump(t, s))
		})
	}
}

func TestSubmitKeepsNote(t *testing.T) {
	s, _ := openTest(t)
	register(t, s, "alpha")
	a, err := s.Submit("o", Application{Kind: KindCancel, ServerID: "alpha", Note: "shutting the service down"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetApplication(a.ID)
	if err != nil || got.Note != "shutting the service down" {
		t.Fatalf("read back %+v, %v", got, err)
	}
}

func TestRejectThenApproveRefused(t *testing.T) {
	s, _ := openTest(t)
	a, err := s.Submit("o", newApp("alpha"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Reject(a.ID, "admin", "address not reachable")
	if err != nil || r.State != StateRejected || r.Reason != "address not reachable" || r.Reviewer != "admin" {
		t.Fatalf("reject: %+v, %v", r, err)
	}
	before := dump(t, s)
	_, err = s.Approve(a.ID, Approval{Reviewer: "admin2", Certificate: cert("alpha")})
	var de *AlreadyDecidedError
	if !errors.As(err, &de) || de.State != StateRejected || de.Reviewer != "admin" {
		t.Fatalf("approve after reject: %v", err)
	}
	if want := "application " + a.ID + " was already rejected by admin; nothing was changed"; err.Error() != want {
		t.Fatalf("message %q", err)
	}
	assertUnchanged(t, before, dump(t, s))
	// The serverId is free again after a rejection.
	if _, err := s.Submit("o", newApp("alpha")); err != nil {
		t.Fatalf("resubmit after rejection: %v", err)
	}
}

func TestDecideRefused(t *testing.T) {
	s, _ := openTest(t)
	register(t, s, "alpha")                                  // req-1, approved
	if _, err := s.Submit("o", newApp("beta")); err != nil { // req-2
		t.Fatal(err)
	}
	if _, err := s.Submit("o", Application{Kind: KindModify, ServerID: "alpha", Changed: []string{"area"}}); err != nil { // req-3
		t.Fatal(err)
	}
	dup := cert("beta")
	dup.Serial = mustServer(t, s, "alpha").CertSerial
	badSerial := cert("beta")
	badSerial.Serial = "00ab"
	tests := []struct {
		name    string
		do      func() error
		want    error
		message string
	}{
		{"approve unknown", func() error { _, err := s.Approve("req-42", Approval{Reviewer: "a"}); return err }, ErrNotFound, `no application "req-42"`},
		{"approve without reviewer", func() error { _, err := s.Approve("req-2", Approval{Certificate: cert("beta")}); return err }, ErrInvalid, "invalid actor"},
		{"approve req-0", func() error { _, err := s.Approve("req-0", Approval{Reviewer: "a"}); return err }, ErrNotFound, `"req-0"`},
		{"approve malformed id", func() error { _, err := s.Approve("42", Approval{Reviewer: "a"}); return err }, ErrNotFound, `"42"`},
		{"approve twice", func() error {
			_, err := s.Approve("req-1", Approval{Reviewer: "a", Certificate: cert("alpha")})
			return err
		}, ErrAlreadyDecided, "already approved by admin"},
		{"reject approved", func() error { _, err := s.Reject("req-1", "a", "late"); return err }, ErrAlreadyDecided, "already approved"},
		{"reject without reason", func() error { _, err := s.Reject("req-2", "a", " "); return err }, ErrInvalid, "invalid reason"},
		{"reject without reviewer", func() error { _, err := s.Reject("req-2", "", "no"); return err }, ErrInvalid, "invalid actor"},
		{"approve new without certificate", func() error { _, err := s.Approve("req-2", Approval{Reviewer: "a"}); return err }, ErrInvalid, "needs the certificate"},
		{"approve with certificate for another server", func() error {
			_, err := s.Approve("req-2", Approval{Reviewer: "a", Certificate: cert("gamma")})
			return err
		}, ErrInvalid, "gamma, but application req-2 is for beta"},
		{"approve with a stored serial", func() error { _, err := s.Approve("req-2", Approval{Reviewer: "a", Certificate: dup}); return err }, ErrCertificateExists, "fresh serial"},
		{"approve with a malformed serial", func() error {
			_, err := s.Approve("req-2", Approval{Reviewer: "a", Certificate: badSerial})
			return err
		}, ErrInvalid, "leading zeros"},
		{"approve modify without CSR with certificate", func() error {
			_, err := s.Approve("req-3", Approval{Reviewer: "a", Certificate: cert("alpha")})
			return err
		}, ErrInvalid, "has no CSR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			err := tt.do()
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("got %v, want %v containing %q", err, tt.want, tt.message)
			}
			assertUnchanged(t, before, dump(t, s))
		})
	}
}

func TestListApplications(t *testing.T) {
	s, _ := openTest(t)
	register(t, s, "alpha")
	s.Submit("o", newApp("beta"))
	s.Submit("o", Application{Kind: KindCancel, ServerID: "alpha"})
	ids := func(f ApplicationFilter) string {
		as, err := s.ListApplications(f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			out = append(out, a.ID)
		}
		return strings.Join(out, ",")
	}
	for f, want := range map[ApplicationFilter]string{
		{}:                     "req-1,req-2,req-3",
		{State: StatePending}:  "req-2,req-3",
		{State: StateApproved}: "req-1",
		{Kind: KindCancel}:     "req-3",
		{ServerID: "alpha"}:    "req-1,req-3",
		{State: StateRejected}: "",
	} {
		if got := ids(f); got != want {
			t.Errorf("%+v: %q, want %q", f, got, want)
		}
	}
}

func mustServer(t testing.TB, s *Store, id string) Server {
	t.Helper()
	srv, err := s.GetServer(id)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func cancel(t testing.TB, s *Store, id string) {
	t.Helper()
	a, err := s.Submit("o", Application{Kind: KindCancel, ServerID: id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Approve(a.ID, Approval{Reviewer: "admin"}); err != nil {
		t.Fatal(err)
	}
}

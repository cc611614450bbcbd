package store

import (
	"errors"
	"strings"
	"testing"
)

func TestImportServers(t *testing.T) {
	s, _ := openTest(t)
	c, err := s.RecordCertificate("admin", *cert("beta"))
	if err != nil {
		t.Fatal(err)
	}
	in := []Server{
		{ServerID: "alpha", ServerFields: fields("alpha")},
		{ServerID: "beta", ServerFields: fields("beta"), Status: StatusSuspended, CertSerial: c.Serial},
	}
	if err := s.ImportServers("admin:migration", in); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.ChangedSince(0, nil)
	if err != nil || len(got) != 2 || got[1].Status != StatusSuspended || got[1].CertSerial != c.Serial || got[0].ChangedAt == 0 {
		t.Fatalf("directory %+v, %v", got, err)
	}
	if out, _ := s.ListOutbox(OutboxFilter{}); len(out) != 0 {
		t.Fatalf("an import queued notifications: %+v", out)
	}
	if a, _ := s.Audit(AuditFilter{Subject: "alpha"}); len(a) != 1 || a[0].Action != ActionServerImport {
		t.Fatalf("audit %+v", a)
	}
}

func TestImportServersRefused(t *testing.T) {
	s, _ := openTest(t)
	register(t, s, "taken")
	register(t, s, "gone")
	cancel(t, s, "gone")
	other, err := s.RecordCertificate("admin", *cert("other"))
	if err != nil {
		t.Fatal(err)
	}
	ok := Server{ServerID: "good", ServerFields: fields("good")}
	tests := []struct {
		name   string
		actor  string
		server Server
		want   error
		msg    string
	}{
		{"no actor", "", ok, ErrInvalid, "actor"},
		{"bad id", "a", Server{ServerID: "a.b", ServerFields: fields("x")}, ErrInvalid, "serverId"},
		{"missing field", "a", Server{ServerID: "fresh"}, ErrInvalid, "invalid serverName: required"},
		{"cancelled status", "a", Server{ServerID: "fresh", ServerFields: fields("fresh"), Status: StatusCancelled}, ErrInvalid, "status 0 or 1"},
		{"registered", "a", Server{ServerID: "taken", ServerFields: fields("taken")}, ErrServerExists, "taken"},
		{"retired", "a", Server{ServerID: "gone", ServerFields: fields("gone")}, ErrServerIDRetired, "gone"},
		{"unknown certificate", "a", Server{ServerID: "fresh", ServerFields: fields("fresh"), CertSerial: "abc"}, ErrNotFound, "abc"},
		{"another server's certificate", "a", Server{ServerID: "fresh", ServerFields: fields("fresh"), CertSerial: other.Serial}, ErrInvalid, `is for "other"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			// The good server comes first: a refusal stores neither.
			err := s.ImportServers(tt.actor, []Server{ok, tt.server})
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, want %v containing %q", err, tt.want, tt.msg)
			}
			assertUnchanged(t, before, dump(t, s))
		})
	}
}

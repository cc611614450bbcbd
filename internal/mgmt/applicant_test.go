package mgmt

import (
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// brokenCSR is a valid CSR for id with one bit of its signature flipped.
func brokenCSR(t *testing.T, id string) string {
	block, _ := pem.Decode([]byte(csrPEM(t, newKey(t), id)))
	block.Bytes[len(block.Bytes)-3] ^= 0x01
	return string(pem.EncodeToMemory(block))
}

func TestSubmitRefused(t *testing.T) {
	e := newEnv(t, nil)
	e.register(t, "taken")
	e.register(t, "gone")
	cancelAndApprove(t, e, "gone")
	if _, err := e.svc.Submit(bg, submitReq(t, newKey(t), "waiting")); err != nil {
		t.Fatal(err)
	}
	with := func(id string, f func(*api.SubmitRequest)) api.SubmitRequest {
		r := submitReq(t, newKey(t), id)
		f(&r)
		return r
	}
	tests := []struct {
		name   string
		req    api.SubmitRequest
		want   error
		reason string
		msg    string
	}{
		{"duplicate serverId", submitReq(t, newKey(t), "taken"), store.ErrServerExists, "server_exists", "taken"},
		{"malformed serverId", with("fresh", func(r *api.SubmitRequest) { r.ServerID = "bad.id" }), store.ErrInvalid, "invalid_request", "serverId"},
		{"reused cancelled id", submitReq(t, newKey(t), "gone"), store.ErrServerIDRetired, "server_id_retired", "gone"},
		{"pending application", submitReq(t, newKey(t), "waiting"), store.ErrPendingApplication, "pending_application", "waiting"},
		{"CSR for another serverId", with("fresh", func(r *api.SubmitRequest) { r.CSR = csrPEM(t, newKey(t), "other") }), ErrCSRServerID, "csr_wrong_server_id", `the CSR is for "other", the application for "fresh"`},
		{"CSR with a broken signature", with("fresh", func(r *api.SubmitRequest) { r.CSR = brokenCSR(t, "fresh") }), ErrInvalidCSR, "invalid_csr", "invalid CSR"},
		{"CSR not PEM", with("fresh", func(r *api.SubmitRequest) { r.CSR = "hello" }), store.ErrInvalid, "invalid_request", "csr"},
		{"missing serverName", with("fresh", func(r *api.SubmitRequest) { r.ServerName = "" }), store.ErrInvalid, "invalid_request", "invalid serverName: required"},
		{"missing contactEmail", with("fresh", func(r *api.SubmitRequest) { r.ContactEmail = "" }), store.ErrInvalid, "invalid_request", "invalid contactEmail: required"},
		{"missing ownerId", with("fresh", func(r *api.SubmitRequest) { r.OwnerID = "" }), store.ErrInvalid, "invalid_request", "invalid ownerId: required"},
		{"bad address", with("fresh", func(r *api.SubmitRequest) { r.ServerAddress = "ftp://x" }), store.ErrInvalid, "invalid_request", "serverAddress"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot(t)
			_, err := e.svc.Submit(bg, tt.req)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, want %v containing %q", err, tt.want, tt.msg)
			}
			if r, _ := ReasonOf(err); r != tt.reason {
				t.Fatalf("reason %q, want %q", r, tt.reason)
			}
			e.assertUnchanged(t, before)
		})
	}
}

func cancelAndApprove(t *testing.T, e *env, id string) {
	t.Helper()
	a, err := e.svc.Cancel(bg, id, api.CancelRequest{ServerID: id, Reason: "closing down"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(bg, a.ID, "admin:test", ""); err != nil {
		t.Fatal(err)
	}
}

func TestModifyAndCancelRefused(t *testing.T) {
	e := newEnv(t, nil)
	e.register(t, "alpha")
	e.register(t, "beta")
	addr := "https://new.example.com"
	empty := ""
	tests := []struct {
		name   string
		call   func() error
		want   error
		reason string
		msg    string
	}{
		{"modify signed by another server", func() error {
			_, err := e.svc.Modify(bg, "beta", api.ModifyRequest{ServerID: "alpha", Changes: api.ServerChanges{ServerAddress: &addr}})
			return err
		}, ErrForbidden, "forbidden", `"beta" signed a request about "alpha"`},
		{"cancel signed by another server", func() error {
			_, err := e.svc.Cancel(bg, "beta", api.CancelRequest{ServerID: "alpha", Reason: "x"})
			return err
		}, ErrForbidden, "forbidden", `"beta" signed a request about "alpha"`},
		{"modify serverId", func() error {
			_, err := e.svc.Modify(bg, "alpha", api.ModifyRequest{ServerID: "alpha", Changes: api.ServerChanges{ServerID: &addr}})
			return err
		}, store.ErrInvalid, "invalid_request", "changes.serverId: can't be changed"},
		{"modify nothing", func() error {
			_, err := e.svc.Modify(bg, "alpha", api.ModifyRequest{ServerID: "alpha"})
			return err
		}, store.ErrInvalid, "invalid_request", "invalid changes: required"},
		{"modify clears a required field", func() error {
			_, err := e.svc.Modify(bg, "alpha", api.ModifyRequest{ServerID: "alpha", Changes: api.ServerChanges{ContactName: &empty}})
			return err
		}, store.ErrInvalid, "invalid_request", "changes.contactName: required"},
		{"modify with a CSR for another server", func() error {
			_, err := e.svc.Modify(bg, "alpha", api.ModifyRequest{ServerID: "alpha", CSR: csrPEM(t, newKey(t), "beta")})
			return err
		}, ErrCSRServerID, "csr_wrong_server_id", `the CSR is for "beta"`},
		{"modify with a broken CSR", func() error {
			_, err := e.svc.Modify(bg, "alpha", api.ModifyRequest{ServerID: "alpha", CSR: brokenCSR(t, "alpha")})
			return err
		}, ErrInvalidCSR, "invalid_csr", "invalid CSR"},
		{"modify an unknown server", func() error {
			_, err := e.svc.Modify(bg, "nobody", api.ModifyRequest{ServerID: "nobody", Changes: api.ServerChanges{ServerAddress: &addr}})
			return err
		}, store.ErrNotFound, "not_found", `no server "nobody"`},
		{"cancel without a reason", func() error {
			_, err := e.svc.Cancel(bg, "alpha", api.CancelRequest{ServerID: "alpha"})
			return err
		}, store.ErrInvalid, "invalid_request", "invalid reason: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot(t)
			err := tt.call()
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, want %v containing %q", err, tt.want, tt.msg)
			}
			if r, _ := ReasonOf(err); r != tt.reason {
				t.Fatalf("reason %q, want %q", r, tt.reason)
			}
			e.assertUnchanged(t, before)
		})
	}
}

func TestStatusAndApplicantKeys(t *testing.T) {
	e := newEnv(t, nil)
	key := newKey(t)
	a, err := e.svc.Submit(bg, submitReq(t, key, "alpha"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.svc.Status(bg, a.ID)
	if err != nil || st.Application.State != store.StatePending || st.Certificate != nil {
		t.Fatalf("pending status %+v, %v", st, err)
	}
	keys, err := e.svc.ApplicantKeys(st.Application)
	if err != nil || len(keys) != 1 || !keys[0].Equal(publicKey(key)) {
		t.Fatalf("keys before approval: %v, %v", keys, err)
	}
	if _, err := e.svc.Approve(bg, a.ID, "admin:test", "welcome"); err != nil {
		t.Fatal(err)
	}
	st, err = e.svc.Status(bg, a.ID)
	if err != nil || st.Application.State != store.StateApproved || st.Application.Reason != "welcome" {
		t.Fatalf("approved status %+v, %v", st, err)
	}
	cert, err := pki.ParseCertificatePEM(st.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	if err := pki.VerifyCertificate(cert, pki.VerifyOptions{Roots: e.roots, ServerID: "alpha", Now: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	// A rotation pending: the new CSR's key and the current certificate's.
	newK := newKey(t)
	m, err := e.svc.Modify(bg, "alpha", api.ModifyRequest{ServerID: "alpha", CSR: csrPEM(t, newK, "alpha")})
	if err != nil {
		t.Fatal(err)
	}
	keys, err = e.svc.ApplicantKeys(m)
	if err != nil || len(keys) != 2 || !keys[0].Equal(publicKey(newK)) || !keys[1].Equal(publicKey(key)) {
		t.Fatalf("keys of a rotation: %v, %v", keys, err)
	}
	if _, err := e.svc.Status(bg, "req-99"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown request: %v", err)
	}
}

func TestCancelKeepsReason(t *testing.T) {
	e := newEnv(t, nil)
	e.register(t, "alpha")
	a, err := e.svc.Cancel(bg, "alpha", api.CancelRequest{ServerID: "alpha", Reason: "closing down"})
	if err != nil || a.Note != "closing down" || a.SubmittedBy != "server:alpha" {
		t.Fatalf("%+v, %v", a, err)
	}
}

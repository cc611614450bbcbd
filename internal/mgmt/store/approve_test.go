package store

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestApproveNewStoresServerCertificateAndNotifications(t *testing.T) {
	s, c := openTest(t)
	register(t, s, "alpha")
	register(t, s, "beta")
	if _, err := s.SetStatus("admin", "beta", StatusNormal, StatusSuspended); err != nil {
		t.Fatal(err)
	}
	before := mustOutbox(t, s, OutboxFilter{})

	a, err := s.Submit("owner-gamma", newApp("gamma"))
	if err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	issued := cert("gamma")
	got, err := s.Approve(a.ID, Approval{Reviewer: "admin", Reason: "ok", Certificate: issued})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != StateApproved || got.Reviewer != "admin" || got.ResultSerial != issued.Serial || !got.DecidedAt.Equal(c.Now()) {
		t.Fatalf("application %+v", got)
	}
	srv := mustServer(t, s, "gamma")
	if srv.Status != StatusNormal || srv.CertSerial != issued.Serial || srv.ServerFields != fields("gamma") || !srv.CreatedAt.Equal(c.Now()) {
		t.Fatalf("server %+v", srv)
	}
	sc, err := s.ServerCertificate("gamma")
	if err != nil || string(sc.DER) != string(issued.DER) || sc.Status != CertValid || !sc.IssuedAt.Equal(c.Now()) {
		t.Fatalf("certificate %+v, %v", sc, err)
	}
	// Only alpha is active (beta is suspended, gamma is the subject).
	after := mustOutbox(t, s, OutboxFilter{})
	added := after[len(before):]
	if len(added) != 1 || added[0].Destination != "alpha" || added[0].Subject != "gamma" || added[0].State != OutboxPending {
		t.Fatalf("notifications %+v", added)
	}
	audit, _ := s.Audit(AuditFilter{After: lastAuditSeq(t, s) - 3})
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action)
	}
	if want := []string{ActionCertIssue, ActionServerCreate, ActionApprove}; !slices.Equal(actions, want) {
		t.Fatalf("audit %v, want %v", actions, want)
	}
}

func TestApproveModifyAppliesChangedFieldsOnly(t *testing.T) {
	s, _ := openTest(t)
	old := register(t, s, "alpha")
	a, err := s.Submit("o", Application{Kind: KindModify, ServerID: "alpha", Changed: []string{"serverAddress", "area"},
		Fields: ServerFields{ServerAddress: "https://new.example.com", ServerName: "ignored"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Approve(a.ID, Approval{Reviewer: "admin"}); err != nil {
		t.Fatal(err)
	}
	srv := mustServer(t, s, "alpha")
	want := old.ServerFields
	want.ServerAddress, want.Area = "https://new.example.com", ""
	if srv.ServerFields != want || srv.CertSerial != old.CertSerial || srv.ChangedAt <= old.ChangedAt {
		t.Fatalf("server %+v, want fields %+v", srv, want)
	}
}

func TestApproveModifyWithCSRRotatesCertificate(t *testing.T) {
	s, _ := openTest(t)
	old := register(t, s, "alpha")
	for _, alreadyRevoked := range []bool{false, true} {
		if alreadyRevoked {
			if _, err := s.RevokeCertificate("admin", old.CertSerial, reasonKeyCompromise); err != nil {
				t.Fatal(err)
			}
		}
		a, err := s.Submit("o", Application{Kind: KindModify, ServerID: "alpha", CSR: []byte("new csr")})
		if err != nil {
			t.Fatal(err)
		}
		issued := cert("alpha")
		if _, err := s.Approve(a.ID, Approval{Reviewer: "admin", Certificate: issued}); err != nil {
			t.Fatal(err)
		}
		prev, _ := s.GetCertificate(old.CertSerial)
		wantReason := ReasonSuperseded
		if alreadyRevoked {
			wantReason = reasonKeyCompromise // an administrator's reason is kept
		}
		if prev.Status != CertRevoked || prev.RevocationReason != wantReason {
			t.Fatalf("previous certificate %+v", prev)
		}
		if srv := mustServer(t, s, "alpha"); srv.CertSerial != issued.Serial {
			t.Fatalf("current serial %s, want %s", srv.CertSerial, issued.Serial)
		}
		old = mustServer(t, s, "alpha")
	}
}

func TestApproveCancelRetiresServer(t *testing.T) {
	s, _ := openTest(t)
	old := register(t, s, "alpha")
	register(t, s, "beta")
	cancel(t, s, "alpha")
	srv := mustServer(t, s, "alpha")
	if srv.Status != StatusCancelled || srv.ChangedAt <= old.ChangedAt {
		t.Fatalf("server %+v", srv)
	}
	c, _ := s.GetCertificate(old.CertSerial)
	if c.Status != CertRevoked || c.RevocationReason != ReasonCessationOfOperation {
		t.Fatalf("certificate %+v", c)
	}
	revs, _ := s.Revocations()
	if len(revs) != 1 || revs[0].Serial != old.CertSerial || revs[0].ServerID != "alpha" {
		t.Fatalf("revocations %+v", revs)
	}
	pending := mustOutbox(t, s, OutboxFilter{Destination: "beta"})
	if last := pending[len(pending)-1]; last.Subject != "alpha" {
		t.Fatalf("beta not told of the cancellation: %+v", last)
	}
	register(t, s, "gamma")
	for _, e := range mustOutbox(t, s, OutboxFilter{Destination: "alpha"}) {
		if e.Subject == "gamma" {
			t.Fatalf("a cancelled server is still notified: %+v", e)
		}
	}
	// Suspend, resume and re-registration are refused, and change nothing.
	before := dump(t, s)
	for _, err := range []error{
		func() error { _, err := s.SetStatus("admin", "alpha", StatusNormal, StatusSuspended); return err }(),
		func() error { _, err := s.SetStatus("admin", "alpha", StatusSuspended, StatusNormal); return err }(),
		func() error { _, err := s.Submit("o", newApp("alpha")); return err }(),
	} {
		if !errors.Is(err, ErrServerCancelled) && !errors.Is(err, ErrServerIDRetired) {
			t.Errorf("got %v", err)
		}
	}
	assertUnchanged(t, before, dump(t, s))
}

// Two reviewers approving the same application at once: exactly one wins,
// and only the winner's certificate is stored.
func TestConcurrentApproveExactlyOneWins(t *testing.T) {
	s, _ := openTest(t)
	a, err := s.Submit("o", newApp("alpha"))
	if err != nil {
		t.Fatal(err)
	}
	certs := []*Certificate{cert("alpha"), cert("alpha")}
	errs := make([]error, len(certs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range certs {
		wg.Go(func() {
			<-start
			_, errs[i] = s.Approve(a.ID, Approval{Reviewer: "admin", Certificate: certs[i]})
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner == -1:
			winner = i
		case errors.Is(err, ErrAlreadyDecided):
		default:
			t.Fatalf("approval %d: %v", i, err)
		}
	}
	if winner == -1 {
		t.Fatalf("no approval won: %v", errs)
	}
	stored, err := s.ListCertificates(CertFilter{ServerID: "alpha"})
	if err != nil || len(stored) != 1 || stored[0].Serial != certs[winner].Serial {
		t.Fatalf("stored %+v, want only %s", stored, certs[winner].Serial)
	}
	if srv := mustServer(t, s, "alpha"); srv.CertSerial != certs[winner].Serial {
		t.Fatalf("server has %s", srv.CertSerial)
	}
}

func lastAuditSeq(t testing.TB, s *Store) uint64 {
	t.Helper()
	all, err := s.Audit(AuditFilter{})
	if err != nil || len(all) == 0 {
		t.Fatalf("audit: %v", err)
	}
	return all[len(all)-1].Seq
}

// mustOutbox expands the queued changes (as the notifier does) and lists
// the outbox.
func mustOutbox(t testing.TB, s *Store, f OutboxFilter) []OutboxEntry {
	t.Helper()
	expandAll(t, s)
	out, err := s.ListOutbox(f)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

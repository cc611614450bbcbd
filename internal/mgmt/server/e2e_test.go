package server_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// register takes id through submit, approval and status over HTTP and
// returns its key and certificate.
func register(t *testing.T, m *mgmtProc, adm *client.Admin, id, address string) (*sm2.PrivateKey, *smx509.Certificate) {
	t.Helper()
	key := newKey(t)
	reqID, err := m.public(t).Submit(bg, submitReq(t, key, id, address))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adm.Approve(bg, reqID, "admin:e2e", ""); err != nil {
		t.Fatal(err)
	}
	return key, fetchCert(t, m.as(t, key, nil, id), reqID)
}

func fetchCert(t *testing.T, p *client.Public, reqID string) *smx509.Certificate {
	t.Helper()
	st, err := p.Status(bg, reqID)
	if err != nil || st.Status != api.RequestApproved || st.ServerCert == "" {
		t.Fatalf("status of %s: %+v, %v", reqID, st, err)
	}
	cert, err := pki.ParseCertificatePEM([]byte(st.ServerCert))
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func revoked(t *testing.T, m *mgmtProc, serial string) bool {
	t.Helper()
	crl, _, err := m.public(t).CRL(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range crl.RevokedCertificateEntries {
		if pki.SerialHex(e.SerialNumber) == serial {
			return true
		}
	}
	return false
}

// opensslVerify checks cert against the root with OpenSSL 3, the
// independent oracle, when it is installed.
func opensslVerify(t *testing.T, root, cert *smx509.Certificate) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Log("openssl not installed: skipping the OpenSSL check")
		return
	}
	dir := t.TempDir()
	rootFile, certFile := filepath.Join(dir, "root.pem"), filepath.Join(dir, "cert.pem")
	os.WriteFile(rootFile, pki.EncodeCertificatePEM(root.Raw), 0o600)
	os.WriteFile(certFile, pki.EncodeCertificatePEM(cert.Raw), 0o600)
	out, err := exec.Command(bin, "verify", "-vfyopt", "distid:1234567812345678", "-CAfile", rootFile, certFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("openssl verify: %v\n%s", err, out)
	}
}

func TestLifecycle(t *testing.T) {
	m := startMgmt(t, t.TempDir())
	adm := m.admin(t)

	// dir bootstrap: the root is pinned only if its fingerprint matches.
	fp, _ := pki.FormatFingerprint(pki.FingerprintSHA256(m.root().Raw), "colon")
	if root, _, err := m.public(t).Bootstrap(bg, fp); err != nil || !root.Equal(m.root()) {
		t.Fatalf("bootstrap: %v", err)
	}
	other, _ := pki.FormatFingerprint(pki.FingerprintSHA256([]byte("another root")), "hex")
	if _, _, err := m.public(t).Bootstrap(bg, other); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("bootstrap with a wrong fingerprint: %v", err)
	}

	// A peer that will be told of every change.
	peerStub := newStub(t)
	peerKey, peerCert := register(t, m, adm, "peer", peerStub.URL())
	peerStub.become(t, m, peerKey, peerCert)
	peer := m.as(t, peerKey, peerCert, "")

	// Two applicants.
	alphaStub := newStub(t)
	alphaKey, betaKey := newKey(t), newKey(t)
	alphaReq, err := m.public(t).Submit(bg, submitReq(t, alphaKey, "alpha", alphaStub.URL()))
	if err != nil {
		t.Fatal(err)
	}
	betaReq, err := m.public(t).Submit(bg, submitReq(t, betaKey, "beta", "https://beta.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	alphaApplicant := m.as(t, alphaKey, nil, "alpha")
	if st, err := alphaApplicant.Status(bg, alphaReq); err != nil || st.Status != api.RequestPending || st.Kind != api.KindSubmit || st.ServerCert != "" {
		t.Fatalf("pending: %+v, %v", st, err)
	}
	// Only the applicant may follow its application.
	if _, err := m.as(t, betaKey, nil, "beta").Status(bg, alphaReq); authReason(err) != httpsig.ReasonSignatureInvalid {
		t.Fatalf("beta reading alpha's application: %v", err)
	}
	if _, err := m.as(t, betaKey, nil, "alpha").Status(bg, alphaReq); authReason(err) != httpsig.ReasonSignatureInvalid {
		t.Fatalf("beta's key posing as alpha: %v", err)
	}

	// The administrator approves one and rejects the other.
	if _, err := adm.Approve(bg, alphaReq, "admin:e2e", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.Reject(bg, betaReq, "admin:e2e", "contact details incomplete"); err != nil {
		t.Fatal(err)
	}
	if st, err := m.as(t, betaKey, nil, "beta").Status(bg, betaReq); err != nil || st.Status != api.RequestRejected || st.StatusReason != "contact details incomplete" {
		t.Fatalf("rejected: %+v, %v", st, err)
	}
	alphaCert := fetchCert(t, alphaApplicant, alphaReq)
	roots := smx509.NewCertPool()
	roots.AddCert(m.root())
	if err := pki.VerifyCertificate(alphaCert, pki.VerifyOptions{Roots: roots, ServerID: "alpha"}); err != nil {
		t.Fatal(err)
	}
	opensslVerify(t, m.root(), alphaCert)
	alphaStub.become(t, m, alphaKey, alphaCert)
	eventually(t, "peer is told of alpha", func() bool { return peerStub.told("alpha") == 1 })
	alpha := m.as(t, alphaKey, alphaCert, "")

	// The directory, in full and incrementally.
	dir, err := alpha.Servers(bg, api.ServersQuery{})
	if err != nil || len(dir.Servers) != 2 || dir.Servers[0].ServerID != "alpha" || dir.Servers[1].ServerID != "peer" || dir.ServerTime == 0 {
		t.Fatalf("directory: %+v, %v", dir, err)
	}
	if d, err := alpha.Servers(bg, api.ServersQuery{LastQueryTime: dir.ServerTime}); err != nil || len(d.Servers) != 0 || d.ServerTime != dir.ServerTime {
		t.Fatalf("nothing changed: %+v, %v", d, err)
	}

	// Alpha moves: reviewed, applied, notified.
	newAddr := alphaStub.URL() + "/im"
	modReq, err := alpha.Modify(bg, api.ModifyRequest{ServerID: "alpha", Changes: api.ServerChanges{ServerAddress: &newAddr}})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := alpha.Servers(bg, api.ServersQuery{LastQueryTime: dir.ServerTime}); len(d.Servers) != 0 {
		t.Fatalf("applied before review: %+v", d)
	}
	if _, err := adm.Approve(bg, modReq, "admin:e2e", ""); err != nil {
		t.Fatal(err)
	}
	d, err := peer.Servers(bg, api.ServersQuery{LastQueryTime: dir.ServerTime})
	if err != nil || len(d.Servers) != 1 || d.Servers[0].ServerAddress != newAddr {
		t.Fatalf("after the move: %+v, %v", d, err)
	}
	eventually(t, "peer is told alpha moved", func() bool { return peerStub.told("alpha") == 2 })
	if full, err := peer.Servers(bg, api.ServersQuery{}); err != nil || full.Servers[0].ServerAddress != newAddr || full.ServerTime != d.ServerTime {
		t.Fatalf("a full query after the move: %+v, %v", full, err)
	}

	// Alpha rotates its key: the old certificate is revoked.
	newKey := newKey(t)
	rotReq, err := alpha.Modify(bg, api.ModifyRequest{ServerID: "alpha", CSR: csrPEM(t, newKey, "alpha")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adm.Approve(bg, rotReq, "admin:e2e", ""); err != nil {
		t.Fatal(err)
	}
	newCert := fetchCert(t, m.as(t, newKey, nil, "alpha"), rotReq)
	if newCert.Equal(alphaCert) || !revoked(t, m, pki.SerialHex(alphaCert.SerialNumber)) {
		t.Fatal("the old certificate is not on the CRL after rotation")
	}
	// The directory now holds the new certificate, which the old key's
	// signature does not verify with.
	if _, err := alpha.Servers(bg, api.ServersQuery{}); authReason(err) != httpsig.ReasonSignatureInvalid {
		t.Fatalf("the old key: %v", err)
	}
	alphaStub.become(t, m, newKey, newCert)
	alpha = m.as(t, newKey, newCert, "")
	if _, err := alpha.Servers(bg, api.ServersQuery{}); err != nil {
		t.Fatalf("the new key: %v", err)
	}

	// Suspended: its signed calls are refused; resumed: accepted again.
	if _, err := adm.Suspend(bg, "alpha", "admin:e2e"); err != nil {
		t.Fatal(err)
	}
	if _, err := alpha.Servers(bg, api.ServersQuery{}); authReason(err) != httpsig.ReasonServerSuspended {
		t.Fatalf("suspended: %v", err)
	}
	if _, err := adm.Resume(bg, "alpha", "admin:e2e"); err != nil {
		t.Fatal(err)
	}
	if _, err := alpha.Servers(bg, api.ServersQuery{}); err != nil {
		t.Fatalf("resumed: %v", err)
	}
	// The notifier may tell the rotation, the suspension and the
	// resumption in fewer calls (entries about one subject due together go
	// out as one): count what it delivered, and that it called since.
	eventually(t, "peer is told of the rotation, the suspension and the resumption", func() bool {
		return delivered(t, adm, "peer", "alpha") == 5 && peerStub.told("alpha") > 2
	})
	told := peerStub.told("alpha")

	// Cancelled: on the CRL, refused, and the id is gone for good.
	cancelReq, err := alpha.Cancel(bg, api.CancelRequest{ServerID: "alpha", Reason: "service closed"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adm.Approve(bg, cancelReq, "admin:e2e", ""); err != nil {
		t.Fatal(err)
	}
	if !revoked(t, m, pki.SerialHex(newCert.SerialNumber)) {
		t.Fatal("the cancelled server's certificate is not on the CRL")
	}
	if _, err := alpha.Servers(bg, api.ServersQuery{}); authReason(err) != httpsig.ReasonCertRevoked {
		t.Fatalf("cancelled: %v", err)
	}
	if _, err := m.public(t).Submit(bg, submitReq(t, newKey, "alpha", alphaStub.URL())); mgmtReason(err) != "server_id_retired" {
		t.Fatalf("reusing the id: %v", err)
	}
	d, err = peer.Servers(bg, api.ServersQuery{ServerIDs: []string{"alpha"}})
	if err != nil || len(d.Servers) != 1 || d.Servers[0].Status != int(store.StatusCancelled) {
		t.Fatalf("the directory after cancellation: %+v, %v", d, err)
	}
	eventually(t, "peer is told of the cancellation", func() bool {
		return delivered(t, adm, "peer", "alpha") == 6 && peerStub.told("alpha") > told
	})
}

// delivered is how many notifications about subject the management server
// has delivered to dest (one per change, whether or not one call told
// several).
func delivered(t *testing.T, adm mgmt.Admin, dest, subject string) int {
	t.Helper()
	entries, err := adm.Notifications(bg, store.OutboxFilter{Destination: dest, State: store.OutboxDelivered})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Subject == subject {
			n++
		}
	}
	return n
}

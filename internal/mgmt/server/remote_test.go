package server_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

func startRemoteMgmt(t *testing.T) *mgmtProc {
	return startMgmtWith(t, t.TempDir(), func(c *server.Config) { c.AdminAddr = "127.0.0.1:0" })
}

// adminCert issues, through the socket, the certificate of administrator
// name.
func adminCert(t *testing.T, adm mgmt.Admin, name string) (*sm2.PrivateKey, *smx509.Certificate) {
	t.Helper()
	key := newKey(t)
	der, err := pki.CreateAdminCSR(key, name)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := adm.SignAdminCSR(bg, pki.EncodeCSRPEM(der), name, 0, "admin:e2e")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(rec.DER)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func (m *mgmtProc) remote(t *testing.T, key *sm2.PrivateKey, cert *smx509.Certificate) *client.Admin {
	t.Helper()
	roots := smx509.NewCertPool()
	roots.AddCert(m.root())
	a, err := client.DialRemote(bg, client.RemoteOptions{URL: m.AdminURL(), Key: key, Cert: cert, Roots: roots})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// pending submits an application and returns its id.
func pending(t *testing.T, m *mgmtProc, id string) string {
	t.Helper()
	reqID, err := m.public(t).Submit(bg, submitReq(t, newKey(t), id, "https://"+id+".example.com"))
	if err != nil {
		t.Fatal(err)
	}
	return reqID
}

func TestRemoteAdmin(t *testing.T) {
	m := startRemoteMgmt(t)
	adm := m.admin(t)
	// A server and an administrator of the same name stay apart.
	_, srvCert := register(t, m, adm, "alpha", "https://alpha.example.com")
	key, cert := adminCert(t, adm, "alpha")
	if got, err := m.Service().Store().ServerCertificate("alpha"); err != nil || got.Serial != pki.SerialHex(srvCert.SerialNumber) {
		t.Fatalf("ServerCertificate(alpha) = %s, %v; want the server's %s", got.Serial, err, pki.SerialHex(srvCert.SerialNumber))
	}
	if list, _ := adm.Certificates(bg, store.CertFilter{ServerID: "alpha"}); len(list) != 1 || list[0].Admin != "" {
		t.Fatalf("the server's certificates: %+v", list)
	}
	if list, _ := adm.Certificates(bg, store.CertFilter{Admin: "alpha"}); len(list) != 1 || list[0].Serial != pki.SerialHex(cert.SerialNumber) || list[0].ServerID != "" {
		t.Fatalf("the administrator's certificates: %+v", list)
	}

	reqID := pending(t, m, "beta")
	remote := m.remote(t, key, cert)
	apps, err := remote.Requests(bg, store.ApplicationFilter{State: store.StatePending})
	if err != nil || len(apps) != 1 || apps[0].ID != reqID {
		t.Fatalf("remote requests: %+v, %v", apps, err)
	}
	// The body names another actor: the certificate's counts.
	got, err := remote.Approve(bg, reqID, "admin:someone-else", "looks fine")
	if err != nil || got.State != store.StateApproved {
		t.Fatalf("remote approve: %+v, %v", got, err)
	}
	audit, err := adm.Audit(bg, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if last := audit[len(audit)-1]; last.Actor != "admin:alpha" {
		t.Fatalf("the approval is recorded as %q, want admin:alpha", last.Actor)
	}
	if got.Reviewer != "admin:alpha" {
		t.Fatalf("reviewer %q, want admin:alpha", got.Reviewer)
	}
	// Backup is not offered remotely; the socket's stays.
	if _, err := remote.Backup(bg, io.Discard); err == nil || !strings.Contains(err.Error(), "not offered") {
		t.Fatalf("remote backup: %v", err)
	}
}

// rawSigned sends a request signed by signer (nil: unsigned) to the remote
// admin API and returns the status and the refusal's reason.
func rawSigned(t *testing.T, m *mgmtProc, signer *httpsig.Signer, method, path string, body []byte) (int, string) {
	t.Helper()
	req := signedReq(t, m, signer, method, path, body)
	return send(t, req, body)
}

func signedReq(t *testing.T, m *mgmtProc, signer *httpsig.Signer, method, path string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, m.AdminURL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if signer != nil {
		if err := signer.SignRequest(req, m.CA().SelfID); err != nil {
			t.Fatal(err)
		}
	}
	return req
}

func send(t *testing.T, req *http.Request, body []byte) (int, string) {
	t.Helper()
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Signature") == "" {
		t.Errorf("%s: the answer is not signed", req.URL.Path)
	}
	var refusal struct{ Reason string }
	json.Unmarshal(data, &refusal)
	return resp.StatusCode, refusal.Reason
}

func keySigner(t *testing.T, key *sm2.PrivateKey, cert *smx509.Certificate) *httpsig.Signer {
	t.Helper()
	s, err := httpsig.NewKeySigner(key, pki.SerialHex(cert.SerialNumber))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every refusal of the remote admin API: its status and reason, and
// nothing changed (the application stays pending, the audit log as it was).
func TestRemoteAdminRefusals(t *testing.T) {
	m := startRemoteMgmt(t)
	adm := m.admin(t)
	srvKey, srvCert := register(t, m, adm, "alpha", "https://alpha.example.com")
	goodKey, goodCert := adminCert(t, adm, "ops")
	revKey, revCert := adminCert(t, adm, "gone")
	if _, err := adm.Revoke(bg, pki.SerialHex(revCert.SerialNumber), 1, "admin:e2e"); err != nil {
		t.Fatal(err)
	}
	st := m.Service().Store()
	issued := func(is pki.Issuer, name string, notBefore, notAfter time.Time) (*sm2.PrivateKey, *smx509.Certificate) {
		key := newKey(t)
		der, _ := pki.CreateAdminCSR(key, name)
		csr, _ := pki.ParseCSR(der)
		serial, _ := pki.NewSerial()
		certDER, err := is.IssueAdminCert(csr, name, pki.IssueParams{Serial: serial, NotBefore: notBefore, NotAfter: notAfter})
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := smx509.ParseCertificate(certDER)
		// Recorded as if the CA had issued it, so that only the
		// certificate checks stand in the way.
		if _, err := st.RecordCertificate("admin:e2e", store.Certificate{Serial: pki.SerialHex(serial), Admin: name, DER: certDER, NotBefore: notBefore, NotAfter: notAfter}); err != nil {
			t.Fatal(err)
		}
		return key, cert
	}
	now := time.Now()
	expKey, expCert := issued(m.CA().Root, "late", now.Add(-48*time.Hour), now.Add(-time.Hour))
	otherRootKey := newKey(t)
	otherRootDER, _ := pki.CreateRootCert(otherRootKey, "another root", now.Add(-time.Hour), now.Add(time.Hour))
	otherRoot, _ := smx509.ParseCertificate(otherRootDER)
	foreignKey, foreignCert := issued(pki.Issuer{Cert: otherRoot, Key: otherRootKey}, "stranger", now.Add(-time.Minute), now.Add(time.Hour))

	reqID := pending(t, m, "beta")
	approve := mgmt.AdminRequests + "/" + reqID + "/approve"
	body := []byte(`{"actor":"admin:x"}`)
	before, _ := adm.Audit(bg, store.AuditFilter{})
	unchanged := func(what string) {
		t.Helper()
		after, _ := adm.Audit(bg, store.AuditFilter{})
		app, _ := adm.Request(bg, reqID)
		if len(after) != len(before) || app.State != store.StatePending {
			t.Fatalf("%s changed something: %d audit entries (had %d), application %s", what, len(after), len(before), app.State)
		}
	}
	for _, tc := range []struct {
		name   string
		signer *httpsig.Signer
		status int
		reason httpsig.Reason
	}{
		{"unsigned", nil, 401, httpsig.ReasonSignatureMissing},
		{"a server's certificate", keySigner(t, srvKey, srvCert), 401, httpsig.ReasonCertInvalid},
		{"a server's serverId as keyid", mustSigner(t, srvKey, srvCert), 403, httpsig.ReasonUnknownServer},
		{"a revoked administrator certificate", keySigner(t, revKey, revCert), 401, httpsig.ReasonCertRevoked},
		{"an expired one", keySigner(t, expKey, expCert), 401, httpsig.ReasonCertExpired},
		{"one from another CA", keySigner(t, foreignKey, foreignCert), 401, httpsig.ReasonCertInvalid},
		{"another key for a good certificate", keySigner(t, newKey(t), goodCert), 401, httpsig.ReasonSignatureInvalid},
	} {
		status, reason := rawSigned(t, m, tc.signer, http.MethodPost, approve, body)
		if status != tc.status || reason != string(tc.reason) {
			t.Errorf("%s: HTTP %d %q, want %d %q", tc.name, status, reason, tc.status, tc.reason)
		}
		unchanged(tc.name)
	}

	// The client refuses a server's certificate before any call.
	roots := smx509.NewCertPool()
	roots.AddCert(m.root())
	if _, err := client.DialRemote(bg, client.RemoteOptions{URL: m.AdminURL(), Key: srvKey, Cert: srvCert, Roots: roots}); err == nil || !strings.Contains(err.Error(), "not an administrator's") {
		t.Fatalf("DialRemote with a server's certificate: %v", err)
	}
	// And a revoked administrator's call through the client says why.
	_, err := m.remote(t, revKey, revCert).Approve(bg, reqID, "", "")
	if authReason(err) != httpsig.ReasonCertRevoked {
		t.Fatalf("a revoked administrator's approval: %v", err)
	}
	unchanged("the revoked administrator's client")

	// Revoked in the store before any CRL lists it (a replica's revocation
	// not yet followed): refused all the same.
	storeKey, storeCert := adminCert(t, adm, "lagging")
	if _, err := st.RevokeCertificate("admin:e2e", pki.SerialHex(storeCert.SerialNumber), 1); err != nil {
		t.Fatal(err)
	}
	if status, reason := rawSigned(t, m, keySigner(t, storeKey, storeCert), http.MethodPost, approve, body); status != 401 || reason != string(httpsig.ReasonCertRevoked) {
		t.Fatalf("revoked in the store only: HTTP %d %q", status, reason)
	}
	before, _ = adm.Audit(bg, store.AuditFilter{})
	unchanged("the administrator revoked in the store")

	// A replay: the first call acts, the same signed request again is refused.
	good := keySigner(t, goodKey, goodCert)
	req := signedReq(t, m, good, http.MethodPost, approve, body)
	if status, reason := send(t, req, body); status != 200 {
		t.Fatalf("the signed approval: HTTP %d %s", status, reason)
	}
	before, _ = adm.Audit(bg, store.AuditFilter{})
	if status, reason := send(t, req, body); status != 401 || reason != string(httpsig.ReasonReplay) {
		t.Fatalf("the replayed approval: HTTP %d %q, want 401 replay", status, reason)
	}
	if after, _ := adm.Audit(bg, store.AuditFilter{}); len(after) != len(before) {
		t.Fatal("the replay changed something")
	}
}

// Without AdminAddr there is no remote admin listener at all.
func TestNoRemoteAdminByDefault(t *testing.T) {
	m := startMgmt(t, t.TempDir())
	if u := m.AdminURL(); u != "" {
		t.Fatalf("AdminURL = %q without AdminAddr", u)
	}
	// The public API does not serve the admin API either.
	resp, err := http.Post(m.URL()+mgmt.AdminRequests+"/x/approve", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the public API answers an admin call with HTTP %d", resp.StatusCode)
	}
}

// TLS (the operator's own certificate, standard crypto/tls) wraps the
// signed calls for confidentiality.
func TestRemoteAdminOverTLS(t *testing.T) {
	certFile, keyFile, pool := tlsFiles(t)
	m := startMgmtWith(t, t.TempDir(), func(c *server.Config) {
		c.AdminAddr, c.TLSCertFile, c.TLSKeyFile = "127.0.0.1:0", certFile, keyFile
	})
	if !strings.HasPrefix(m.AdminURL(), "https://") {
		t.Fatalf("AdminURL %q", m.AdminURL())
	}
	key, cert := adminCert(t, m.admin(t), "alpha")
	roots := smx509.NewCertPool()
	roots.AddCert(m.root())
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	remote, err := client.DialRemote(bg, client.RemoteOptions{URL: m.AdminURL(), Key: key, Cert: cert, Roots: roots, HTTP: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	if list, err := remote.Certificates(bg, store.CertFilter{Admin: "alpha"}); err != nil || len(list) != 1 {
		t.Fatalf("over TLS: %+v, %v", list, err)
	}
	// Plain HTTP to the TLS listener gets no admin answer.
	if _, err := client.DialRemote(bg, client.RemoteOptions{URL: strings.Replace(m.AdminURL(), "https", "http", 1), Key: key, Cert: cert, Roots: roots}); err == nil {
		t.Fatal("plain HTTP to the TLS listener was answered")
	}
}

// tlsFiles writes a self-signed ECDSA certificate for 127.0.0.1 and its key,
// and returns them with a pool trusting it.
func tlsFiles(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mgmt"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

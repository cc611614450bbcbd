package attack

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
)

const (
	targetID = "target"
	actor    = "admin:attack"
	// maxBody is the target's MaxRequestBody, small so that the oversize
	// case is cheap.
	maxBody = 64 << 10
	// headerTimeout is the target's ReadHeaderTimeout, short so that the
	// slow-loris case is quick.
	headerTimeout = 300 * time.Millisecond
)

// world is the management server, the target IM server (user bob, who
// has a file he sent nobody) and the callers, by name.
type world struct {
	mgmt      *server.Server
	targetURL string
	admin     *adminclient.Client
	callers   map[string]*httpsig.Signer
	fileID    string // bob's file, in no message
	foreign   *pki.Issuer
	before    string // the snapshot the current case is checked against
	// client verifies the target's answers as a caller does (peer).
	client *httpsig.Verifier
}

// newWorld builds the world; every caller below exists with the standing
// its name says.
func newWorld(t *testing.T) *world {
	ctx := context.Background()
	m, err := server.New(server.Config{
		DataDir: t.TempDir(), Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		InitCA:   &ca.InitOptions{CommonName: "attack root", ServerName: "attack mgmt"},
		Notifier: server.NotifierOptions{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Listen(); err != nil {
		t.Fatal(err)
	}
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Serve(mctx) }()
	t.Cleanup(func() { cancel(); <-done })
	w := &world{mgmt: m, callers: map[string]*httpsig.Signer{}, foreign: newIssuer(t, "foreign root")}

	w.startTarget(t)
	for _, id := range []string{"peer", "suspended", "cancelled", "revoked", "blacklisted", "outsider"} {
		key, cert := w.registerApproved(t, id, "http://127.0.0.1:1")
		w.callers[id] = signer(t, key, cert)
	}
	svc := m.Service()
	if _, err := svc.Suspend(ctx, "suspended", actor); err != nil {
		t.Fatal(err)
	}
	w.cancel(t, "cancelled")
	srv, err := svc.Store().GetServer("revoked")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Revoke(ctx, srv.CertSerial, 1, actor); err != nil {
		t.Fatal(err)
	}

	// Registered with certificates the target must refuse.
	now := time.Now()
	root := &m.CA().Root
	w.callers["expired"] = w.importServer(t, "expired", "expired", root, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	w.callers["notyet"] = w.importServer(t, "notyet", "notyet", root, now.Add(24*time.Hour), now.Add(48*time.Hour))
	w.callers["foreign"] = w.importServer(t, "foreign", "foreign", w.foreign, now.Add(-time.Hour), now.Add(time.Hour))
	// wrongid's directory certificate is a valid one of the CA, but names
	// another serverId; it signs with that certificate's key.
	w.callers["wrongid"] = w.importServer(t, "wrongid", "someone-else", root, now.Add(-time.Hour), now.Add(time.Hour))
	// otherkey signs as peer with a key that is not peer's.
	w.callers["otherkey"] = w.foreignSigner(t, "peer", mustKey(t))
	// unregistered has a certificate of the CA but no directory record.
	ukey := mustKey(t)
	w.callers["unregistered"] = signer(t, ukey, w.issue(t, root, "unregistered", ukey, now.Add(-time.Hour), now.Add(time.Hour)))

	// The target's lists: blacklisted is denied; a white list admits all
	// but outsider.
	var allow []string
	for id := range w.callers {
		if id != "outsider" && id != "blacklisted" {
			allow = append(allow, id)
		}
	}
	slices.Sort(allow)
	if _, err := w.admin.SetPolicy(ctx, allow, []string{"blacklisted"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.admin.AddUser(ctx, adminapi.NewUser{UserID: "bob", Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	f, err := w.admin.Upload(ctx, "bob", "secret.txt", strings.NewReader("bob's secret"))
	if err != nil {
		t.Fatal(err)
	}
	w.fileID = f.FileID
	// The target must know the revocation (its CRL) and the suspension
	// (the management server's notification) before the suite runs.
	w.waitRefused(t, "revoked", httpsig.ReasonCertRevoked)
	w.waitRefused(t, "suspended", httpsig.ReasonServerSuspended)
	return w
}

// startTarget registers the target and runs it, as `imictl serve` would.
func (w *world) startTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.targetURL = "http://" + ln.Addr().String()
	key, certPEM := w.registerApproved(t, targetID, w.targetURL)
	w.client = w.clientVerifier(t, certPEM)
	dataDir := t.TempDir()
	dir := imserver.IdentityDir(dataDir)
	keyPEM, err := pki.EncodePrivateKeyPEM(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "key.pem"), keyPEM)
	writeFile(t, filepath.Join(dir, "cert.pem"), certPEM)
	writeFile(t, filepath.Join(dir, "root.crt"), pki.EncodeCertificatePEM(w.mgmt.CA().Root.Cert.Raw))
	s, err := imserver.New(imserver.Config{
		DataDir: dataDir, Address: w.targetURL, MgmtURL: w.mgmt.URL(), Listener: ln,
		Logger: slog.New(slog.DiscardHandler), MaxRequestBody: maxBody,
		CRLRefresh: imserver.Duration(100 * time.Millisecond), ReadHeaderTimeout: imserver.Duration(headerTimeout),
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	w.admin = adminclient.New(imserver.SocketPath(dataDir))
	t.Cleanup(func() {
		w.admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
		<-done
	})
}

// registerApproved applies for id through the public API, has it approved
// and returns its key and certificate (PEM).
func (w *world) registerApproved(t *testing.T, id, address string) (*sm2.PrivateKey, []byte) {
	ctx := context.Background()
	key := mustKey(t)
	pub := w.public(t, id, key)
	reqID, err := pub.Submit(ctx, api.SubmitRequest{ServerID: id, ServerName: id + " IM", ServerAddress: address,
		ContactName: "Ops", ContactEmail: "ops@example.com", ContactMobile: "13500001111", OwnerID: "owner", CSR: string(pki.EncodeCSRPEM(csrOf(t, id, key)))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.mgmt.Service().Approve(ctx, reqID, actor, ""); err != nil {
		t.Fatal(err)
	}
	st, err := pub.Status(ctx, reqID)
	if err != nil || st.Status != api.RequestApproved {
		t.Fatalf("status of %s: %+v %v", id, st, err)
	}
	return key, []byte(st.ServerCert)
}

func (w *world) public(t *testing.T, id string, key *sm2.PrivateKey) *mgmtclient.Public {
	pub, err := mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: w.mgmt.URL(), Root: w.mgmt.CA().Root.Cert, Key: key, ServerID: id})
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// cancel has id's cancellation applied for and approved: status 2.
func (w *world) cancel(t *testing.T, id string) {
	ctx := context.Background()
	a, err := w.mgmt.Service().Cancel(ctx, id, api.CancelRequest{ServerID: id, Reason: "closing"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.mgmt.Service().Approve(ctx, a.ID, actor, ""); err != nil {
		t.Fatal(err)
	}
}

// importServer records a server id whose directory certificate, issued by
// issuer for the serverId named, is valid from notBefore to notAfter, and
// returns a signer with its key.
func (w *world) importServer(t *testing.T, id, named string, issuer *pki.Issuer, notBefore, notAfter time.Time) *httpsig.Signer {
	key := mustKey(t)
	cert := w.issue(t, issuer, named, key, notBefore, notAfter)
	parsed, err := pki.ParseCertificatePEM(cert)
	if err != nil {
		t.Fatal(err)
	}
	st := w.mgmt.Service().Store()
	c, err := st.RecordCertificate(actor, store.Certificate{Serial: pki.SerialHex(parsed.SerialNumber), ServerID: id, DER: parsed.Raw, NotBefore: parsed.NotBefore, NotAfter: parsed.NotAfter})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ImportServers(actor, []store.Server{{ServerID: id, CertSerial: c.Serial, ServerFields: store.ServerFields{
		ServerName: id, ServerAddress: "http://127.0.0.1:1", ContactName: "Ops", ContactEmail: "ops@example.com", ContactMobile: "1", OwnerID: "owner"}}}); err != nil {
		t.Fatal(err)
	}
	if named == id {
		return signer(t, key, cert)
	}
	return w.foreignSigner(t, id, key)
}

// foreignSigner signs as id with key, by way of a certificate of the
// foreign CA (what httpsig.NewSigner needs), which nobody trusts.
func (w *world) foreignSigner(t *testing.T, id string, key *sm2.PrivateKey) *httpsig.Signer {
	now := time.Now()
	return signer(t, key, w.issue(t, w.foreign, id, key, now.Add(-time.Hour), now.Add(time.Hour)))
}

// issue is a certificate (PEM) of issuer for serverID and key.
func (w *world) issue(t *testing.T, issuer *pki.Issuer, serverID string, key *sm2.PrivateKey, notBefore, notAfter time.Time) []byte {
	serial, err := pki.NewSerial()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := smx509.ParseCertificateRequest(csrOf(t, serverID, key))
	if err != nil {
		t.Fatal(err)
	}
	der, err := issuer.IssueServerCert(csr, pki.IssueParams{Serial: serial, NotBefore: notBefore, NotAfter: notAfter})
	if err != nil {
		t.Fatal(err)
	}
	return pki.EncodeCertificatePEM(der)
}

func newIssuer(t *testing.T, name string) *pki.Issuer {
	key := mustKey(t)
	now := time.Now()
	der, err := pki.CreateRootCert(key, name, now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &pki.Issuer{Cert: cert, Key: key}
}

func csrOf(t *testing.T, id string, key *sm2.PrivateKey) []byte {
	der, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: id, ServerName: id})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func signer(t *testing.T, key *sm2.PrivateKey, certPEM []byte) *httpsig.Signer {
	cert, err := pki.ParseCertificatePEM(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	s, err := httpsig.NewSigner(key, cert)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustKey(t *testing.T) *sm2.PrivateKey {
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writeFile(t *testing.T, path string, b []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// snapshot is everything a refused call must leave as it was: the
// target's users, bob's inbox, sent messages, friend requests and
// friends, and the outbox.
func (w *world) snapshot(t *testing.T) string {
	ctx := context.Background()
	var parts []any
	add := func(v any, err error) {
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, v)
	}
	add(w.admin.Users(ctx))
	add(w.admin.Inbox(ctx, "bob", 0, 0))
	add(w.admin.Sent(ctx, "bob", 0, 0))
	add(w.admin.FriendRequests(ctx, "bob", ""))
	add(w.admin.Friends(ctx, "bob"))
	add(w.admin.Outbox(ctx, imstore.OutboxFilter{}))
	b, err := json.Marshal(parts)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// clientVerifier checks answers of the target (certificate certPEM) as
// peer, its caller, does. Revocation is not what the client cases test.
func (w *world) clientVerifier(t *testing.T, certPEM []byte) *httpsig.Verifier {
	cert, err := pki.ParseCertificatePEM(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	roots := smx509.NewCertPool()
	roots.AddCert(w.mgmt.CA().Root.Cert)
	v, err := httpsig.NewVerifier(httpsig.Options{
		Self: "peer", Roots: roots, NoRevocationCheck: true, Logger: slog.New(slog.DiscardHandler),
		Resolver: httpsig.StaticResolver{targetID: {ServerID: targetID, Status: httpsig.StatusNormal, Certificate: cert}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

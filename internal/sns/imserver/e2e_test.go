package imserver_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// e2e is the real management server and real IM servers on loopback.
type e2e struct {
	t    *testing.T
	mgmt *server.Server
}

func startMgmt(t *testing.T) *e2e {
	s, err := server.New(server.Config{
		DataDir: t.TempDir(), Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		InitCA:   &ca.InitOptions{CommonName: "e2e root", ServerName: "e2e mgmt"},
		Notifier: server.NotifierOptions{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &e2e{t: t, mgmt: s}
}

// imServer is a real IM server with its data directory, address and admin
// client; it can be stopped and started again on the same address.
type imServer struct {
	id      string
	dataDir string
	addr    string // host:port
	srv     *imserver.Server
	done    chan error
	admin   *adminclient.Client
}

// register applies for id at the management server (the real public API),
// has it approved, and writes the issued identity into a new data
// directory, as `imictl register` and `imictl serve` do.
func (e *e2e) register(id string) *imServer {
	t := e.t
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: id, ServerName: id})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: e.mgmt.URL(), Root: e.mgmt.CA().Root.Cert, Key: key, ServerID: id})
	if err != nil {
		t.Fatal(err)
	}
	reqID, err := pub.Submit(ctx, api.SubmitRequest{ServerID: id, ServerName: id + " IM", ServerAddress: "http://" + addr,
		ContactName: "Ops", ContactEmail: "ops@example.com", ContactMobile: "13500001111", OwnerID: "owner", CSR: string(pki.EncodeCSRPEM(csr))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.mgmt.Service().Approve(ctx, reqID, "admin:e2e", ""); err != nil {
		t.Fatal(err)
	}
	st, err := pub.Status(ctx, reqID)
	if err != nil || st.Status != api.RequestApproved || st.ServerCert == "" {
		t.Fatalf("status of %s: %+v %v", id, st, err)
	}
	keyPEM, err := pki.EncodePrivateKeyPEM(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	dir := imserver.IdentityDir(dataDir)
	writeFile(t, filepath.Join(dir, "key.pem"), keyPEM)
	writeFile(t, filepath.Join(dir, "cert.pem"), []byte(st.ServerCert))
	writeFile(t, filepath.Join(dir, "root.crt"), pki.EncodeCertificatePEM(e.mgmt.CA().Root.Cert.Raw))
	return &imServer{id: id, dataDir: dataDir, addr: addr}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// start runs the server from its data directory, as `imictl serve` would.
func (e *e2e) start(s *imServer) {
	t := e.t
	var ln net.Listener
	var err error
	for range 100 { // the port of a stopped server may take a moment to free
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	s.srv, err = imserver.New(imserver.Config{
		DataDir: s.dataDir, Address: "http://" + s.addr, MgmtURL: e.mgmt.URL(), Listener: ln,
		Logger:   slog.New(slog.DiscardHandler),
		Delivery: imserver.DeliveryConfig{RetryBase: imserver.Duration(20 * time.Millisecond), RetryMax: imserver.Duration(200 * time.Millisecond)},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.done = make(chan error, 1)
	srv, done := s.srv, s.done
	go func() { done <- srv.Run(context.Background()) }()
	s.admin = adminclient.New(imserver.SocketPath(s.dataDir))
	t.Cleanup(func() { e.stop(s) })
}

func (e *e2e) stop(s *imServer) {
	if s.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		e.t.Errorf("stopping %s: %v", s.id, err)
	}
	if err := <-s.done; err != nil {
		e.t.Errorf("%s: %v", s.id, err)
	}
	s.admin.Close()
	s.srv = nil
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	// 30 s: room for a machine loaded by other work; a passing wait
	// returns as soon as cond holds.
	for range 3000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// must(f())(t) is f's value, or the test fails with f's error.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// textsOf is the text of each of user's messages, in arrival order.
func textsOf(t *testing.T, s *imServer, user string) []string {
	var out []string
	for _, m := range must(s.admin.Inbox(context.Background(), user, 0, 0))(t) {
		if m.MessageType == wire.MessageText {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(string(m.Content), `{"message":"`), `"}`))
		}
	}
	return out
}

// Everything, over real HTTP with real signatures: registration and
// approval, users, friends, every kind of message, files, a repeal, an
// outage across a restart, and servers that must be refused.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	e := startMgmt(t)
	alpha, beta := e.register("alpha-im"), e.register("beta-im")
	e.start(alpha)
	e.start(beta)
	must(alpha.admin.AddUser(ctx, adminapi.NewUser{UserID: "alice", Name: "Alice Wang", PhoneNumber: "13500001111"}))(t)
	must(beta.admin.AddUser(ctx, adminapi.NewUser{UserID: "bob", Name: "Bob Li", PhoneNumber: "13900002222"}))(t)
	must(beta.admin.AddUser(ctx, adminapi.NewUser{UserID: "hermit", Name: "Hermit", VerifyType: wire.VerifyNobody}))(t)

	// Search, verify, add, accept, query, delete (figure 5).
	found := must(alpha.admin.FindUsers(ctx, "beta-im", "bob"))(t)
	if len(found) != 1 || found[0].UserID != "bob@beta-im" || found[0].PhoneNumber != "13900002222" {
		t.Fatalf("search: %+v", found)
	}
	if vt := must(alpha.admin.VerifyUser(ctx, "hermit@beta-im"))(t); vt != wire.VerifyNobody {
		t.Errorf("hermit's verifyType %d", vt)
	}
	if vt := must(alpha.admin.VerifyUser(ctx, "bob@beta-im"))(t); vt != wire.VerifyAnyone {
		t.Errorf("bob's verifyType %d", vt)
	}
	must(alpha.admin.AddFriend(ctx, "alice", "bob@beta-im", "met at the fair"))(t)
	var reqs []imstore.FriendRequest
	eventually(t, "the friend request at bob", func() bool {
		reqs = must(beta.admin.FriendRequests(ctx, "bob", imstore.RequestPending))(t)
		return len(reqs) == 1
	})
	if friends := must(alpha.admin.Friends(ctx, "alice"))(t); len(friends) != 0 {
		t.Fatalf("friends before the answer: %+v", friends)
	}
	must(beta.admin.AnswerFriend(ctx, reqs[0].ID, true))(t)
	eventually(t, "friendship on alice's side", func() bool { return len(must(alpha.admin.Friends(ctx, "alice"))(t)) == 1 })
	if !must(alpha.admin.IsFriend(ctx, "bob@beta-im", "alice"))(t) {
		t.Error("S9 says bob has not alice as a friend")
	}
	if !must(alpha.admin.DeleteFriend(ctx, "alice", "bob@beta-im"))(t) {
		t.Error("nothing to delete")
	}
	eventually(t, "deletion on bob's side", func() bool { return len(must(beta.admin.Friends(ctx, "bob"))(t)) == 0 })
	if must(alpha.admin.IsFriend(ctx, "bob@beta-im", "alice"))(t) {
		t.Error("still friends at bob's server")
	}

	// A text, an image, a voice and a file (figure 6), then a repeal.
	must(alpha.admin.SendText(ctx, "alice", "bob@beta-im", "hello bob"))(t)
	files := map[string][]byte{"image": bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 5000), "voice": bytes.Repeat([]byte("amr!"), 3000), "file": bytes.Repeat([]byte("pdf content "), 100000)}
	sent := map[string]imstore.SentMessage{}
	for _, kind := range []string{"image", "voice", "file"} {
		sent[kind] = must(alpha.admin.SendFile(ctx, "alice", "bob@beta-im", kind, kind+".bin", bytes.NewReader(files[kind]), 4))(t)
	}
	eventually(t, "four messages at bob", func() bool { return len(must(beta.admin.Inbox(ctx, "bob", 0, 0))(t)) == 4 })
	for kind, m := range sent {
		var buf bytes.Buffer
		info := must(beta.admin.FetchFile(ctx, "bob", m.MessageID, &buf))(t)
		sum := md5.Sum(files[kind])
		if !bytes.Equal(buf.Bytes(), files[kind]) || info.MD5 != hex.EncodeToString(sum[:]) || info.Size != int64(len(files[kind])) {
			t.Errorf("%s: %d bytes, %+v", kind, buf.Len(), info)
		}
	}
	must(alpha.admin.Repeal(ctx, "alice", sent["file"].MessageID))(t)
	eventually(t, "the file message revoked at bob", func() bool {
		for _, m := range must(beta.admin.Inbox(ctx, "bob", 0, 0))(t) {
			if m.MessageID == sent["file"].MessageID {
				return m.Revoked
			}
		}
		return false
	})

	// beta is down while alice writes; alpha restarts; beta comes back.
	e.stop(beta)
	var want []string
	for i := range 6 {
		want = append(want, fmt.Sprint("while beta is down ", i))
		must(alpha.admin.SendText(ctx, "alice", "bob@beta-im", want[i]))(t)
	}
	eventually(t, "failed attempts", func() bool {
		items := must(alpha.admin.Outbox(ctx, imstore.OutboxFilter{State: imstore.OutboxPending}))(t)
		return len(items) == 6 && items[0].Attempts > 0
	})
	e.stop(alpha)
	e.start(alpha)
	want = append(want, "after alpha restarted")
	must(alpha.admin.SendText(ctx, "alice", "bob@beta-im", want[6]))(t)
	e.start(beta)
	want = append([]string{"hello bob"}, want...)
	eventually(t, "every message at bob", func() bool { return len(textsOf(t, beta, "bob")) >= len(want) })
	eventually(t, "alpha's outbox empty", func() bool {
		return len(must(alpha.admin.Outbox(ctx, imstore.OutboxFilter{State: imstore.OutboxPending}))(t)) == 0
	})
	if got := textsOf(t, beta, "bob"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("bob got\n%q\nwant\n%q", got, want)
	}

	// Servers that must be refused change nothing at beta.
	gamma := e.register("gamma-im")
	e.start(gamma)
	must(gamma.admin.AddUser(ctx, adminapi.NewUser{UserID: "greg", Name: "Greg"}))(t)
	must(gamma.admin.FindUsers(ctx, "beta-im", "bob"))(t) // a registered server is let in
	if n := must(alpha.admin.RefreshDirectory(ctx))(t); n < 1 {
		t.Errorf("the incremental query after gamma's registration changed %d records", n)
	}
	if !slices.ContainsFunc(must(alpha.admin.Directory(ctx))(t), func(d imstore.DirEntry) bool {
		return d.ServerID == "gamma-im" && d.Address == "http://"+gamma.addr && d.Status == httpsig.StatusNormal
	}) {
		t.Error("gamma is not in alpha's directory")
	}
	before := must(beta.admin.Inbox(ctx, "bob", 0, 0))(t)

	must(beta.admin.SetPolicy(ctx, nil, []string{"gamma-im"}))(t)
	refusedAt(t, gamma, "blacklisted", httpsig.ReasonForbiddenByPolicy)
	// A white list of its peers, which leaves the management server out:
	// its notifications (M3) still reach beta.
	must(beta.admin.SetPolicy(ctx, []string{"alpha-im", "gamma-im"}, nil))(t)

	must(e.mgmt.Service().Suspend(ctx, "gamma-im", "admin:e2e"))(t)
	eventually(t, "beta told of the suspension (M3)", func() bool {
		for _, d := range must(beta.admin.Directory(ctx))(t) {
			if d.ServerID == "gamma-im" {
				return d.Status == httpsig.StatusSuspended
			}
		}
		return false
	})
	refusedAt(t, gamma, "suspended", httpsig.ReasonServerSuspended)
	must(beta.admin.SetPolicy(ctx, nil, nil))(t)

	zeta := unregistered(t, e, beta)
	err := zeta.Chat(ctx, client.Peer{ServerID: "beta-im", BaseURL: "http://" + beta.addr}, wire.ChatRequest{MessageInfo: wire.MessageInfo{
		SenderID: "z@zeta-im", RecvID: "bob@beta-im", MessageType: wire.MessageText, Version: wire.Version1, Type: wire.ChatSingle,
		MessageID: "z1@zeta-im", Content: &wire.TextContent{Message: "let me in"}}})
	var ae *httpsig.AuthError
	if !errors.As(err, &ae) || ae.Reason != httpsig.ReasonUnknownServer {
		t.Errorf("unregistered: %v, want unknown_server", err)
	}
	if after := must(beta.admin.Inbox(ctx, "bob", 0, 0))(t); len(after) != len(before) {
		t.Errorf("refused servers changed bob's inbox: %d messages, was %d", len(after), len(before))
	}
}

// refusedAt sends a message from gamma to bob and expects beta to refuse
// it with reason: the message is parked at gamma with that reason.
func refusedAt(t *testing.T, gamma *imServer, what string, reason httpsig.Reason) {
	t.Helper()
	ctx := context.Background()
	m := must(gamma.admin.SendText(ctx, "greg", "bob@beta-im", what))(t)
	eventually(t, what+": parked at gamma", func() bool {
		for _, it := range must(gamma.admin.Outbox(ctx, imstore.OutboxFilter{State: imstore.OutboxParked}))(t) {
			if it.MessageID == m.MessageID {
				if !strings.HasPrefix(it.LastError, string(reason)+":") {
					t.Errorf("%s: parked with %q, want reason %s", what, it.LastError, reason)
				}
				must(gamma.admin.DropOutbox(ctx, it.ID))(t)
				return true
			}
		}
		return false
	})
}

// unregistered is a client of a server whose certificate the real CA
// issued but that was never registered: it finds beta by its certificate
// (M2) and address, but beta does not know it.
func unregistered(t *testing.T, e *e2e, beta *imServer) *client.Client {
	key := must(pki.GenerateKey())(t)
	csr := must(smx509.ParseCertificateRequest(must(pki.CreateCSR(key, pki.CSRTemplate{ServerID: "zeta-im"}))(t)))(t)
	root := e.mgmt.CA().Root
	der := must(root.IssueServerCert(csr, pki.IssueParams{Serial: must(pki.NewSerial())(t), NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour)}))(t)
	cert := must(smx509.ParseCertificate(der))(t)
	signer := must(httpsig.NewSigner(key, cert))(t)
	pub := must(mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: e.mgmt.URL(), Root: root.Cert}))(t)
	betaCert := must(pub.ServerCert(context.Background(), "beta-im"))(t)
	roots := smx509.NewCertPool()
	roots.AddCert(root.Cert)
	return must(client.New(client.Config{Signer: signer, Verify: httpsig.Options{
		Resolver: httpsig.StaticResolver{"beta-im": {ServerID: "beta-im", Certificate: betaCert, Address: "http://" + beta.addr}},
		Roots:    roots, NoRevocationCheck: true, Logger: slog.New(slog.DiscardHandler),
	}}))(t)
}

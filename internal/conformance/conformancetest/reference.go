// Package conformancetest starts the reference servers the conformance
// suite is tested against: a real management server and a real IM server
// on loopback, each with its own data directory, registered through the
// public API as any vendor's server would be.
package conformancetest

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/conformance"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/wire"
)

// TestUser is the local part of the user the reference IM server has.
const TestUser = "alice"

// Reference is a management server and one IM server registered with it.
type Reference struct {
	Mgmt        *server.Server
	MgmtDataDir string
	IMID        string // the IM server's serverId
	IMURL       string
	IMDataDir   string
	IMKey       *sm2.PrivateKey // the IM server's key, for tests that play it
	Group       string          // a group of TestUser that takes applications, with one message
}

// Start runs the reference servers until the test ends. The IM server,
// "ref-im", has the user TestUser, who owns Group.
func Start(t testing.TB) *Reference {
	t.Helper()
	r := &Reference{MgmtDataDir: t.TempDir(), IMID: "ref-im", IMDataDir: t.TempDir()}
	m, err := server.New(server.Config{
		DataDir: r.MgmtDataDir, Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		InitCA:   &ca.InitOptions{CommonName: "conformance root", ServerName: "conformance mgmt"},
		Notifier: server.NotifierOptions{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond},
	})
	check(t, err)
	check(t, m.Listen())
	mctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Serve(mctx) }()
	t.Cleanup(func() { cancel(); <-done })
	r.Mgmt = m

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(t, err)
	r.IMURL = "http://" + ln.Addr().String()
	key, cert := r.Register(t, r.IMID, r.IMURL)
	r.IMKey = key
	keyPEM, err := pki.EncodePrivateKeyPEM(key, nil)
	check(t, err)
	dir := imserver.IdentityDir(r.IMDataDir)
	writeFile(t, filepath.Join(dir, "key.pem"), keyPEM)
	writeFile(t, filepath.Join(dir, "cert.pem"), pki.EncodeCertificatePEM(cert.Raw))
	writeFile(t, filepath.Join(dir, "root.crt"), r.RootPEM())
	im, err := imserver.New(imserver.Config{DataDir: r.IMDataDir, Address: r.IMURL, MgmtURL: m.URL(), Listener: ln,
		Logger: slog.New(slog.DiscardHandler)})
	check(t, err)
	imDone := make(chan error, 1)
	go func() { imDone <- im.Run(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := im.Shutdown(ctx); err != nil {
			t.Errorf("stopping %s: %v", r.IMID, err)
		}
		if err := <-imDone; err != nil {
			t.Errorf("%s: %v", r.IMID, err)
		}
	})
	admin := adminclient.New(imserver.SocketPath(r.IMDataDir))
	defer admin.Close()
	var addErr error
	for range 500 { // the admin socket appears once the server runs
		if _, addErr = admin.AddUser(context.Background(), adminapi.NewUser{UserID: TestUser, Name: "Alice Conformance"}); addErr == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	check(t, addErr)
	ctx := context.Background()
	g, err := admin.CreateGroup(ctx, adminapi.NewGroup{User: TestUser, Name: "Conformance group", IsVisible: wire.Yes})
	check(t, err)
	r.Group = g.GroupInfo.GroupID
	_, err = admin.SendGroupText(ctx, TestUser, r.Group, "hello, group")
	check(t, err)
	return r
}

// User is the test user's id.
func (r *Reference) User() string { return TestUser + "@" + r.IMID }

// Root is the interconnection root.
func (r *Reference) Root() *smx509.Certificate { return r.Mgmt.CA().Root.Cert }

// RootPEM is the root in PEM.
func (r *Reference) RootPEM() []byte { return pki.EncodeCertificatePEM(r.Root().Raw) }

// Roots is a pool of the root.
func (r *Reference) Roots() *smx509.CertPool {
	p := smx509.NewCertPool()
	p.AddCert(r.Root())
	return p
}

// Register registers serverID (at address) and approves it, as an
// administrator would.
func (r *Reference) Register(t testing.TB, serverID, address string) (*sm2.PrivateKey, *smx509.Certificate) {
	t.Helper()
	approve := func(ctx context.Context, id string) error {
		_, err := r.Mgmt.Service().Approve(ctx, id, "admin:conformance-test", "")
		return err
	}
	key, cert, err := conformance.Register(context.Background(), r.Mgmt.URL(), r.Root(), serverID, address, approve)
	check(t, err)
	return key, cert
}

// Config is a suite configuration for a newly registered caller against
// the reference IM server, with its test user.
func (r *Reference) Config(t testing.TB, callerID string) conformance.Config {
	t.Helper()
	key, cert := r.Register(t, callerID, "http://127.0.0.1:9")
	verify, err := conformance.Directory(context.Background(), r.Mgmt.URL(), r.Roots(), key, cert, nil, false)
	check(t, err)
	verify.Logger = slog.New(slog.DiscardHandler)
	return conformance.Config{Key: key, Cert: cert, Verify: verify, Target: conformance.Target{BaseURL: r.IMURL}, User: r.User(), Group: r.Group}
}

// Signer signs as the reference IM server, for tests that put a faulty
// front in front of it.
func (r *Reference) Signer(t testing.TB) *httpsig.Signer {
	t.Helper()
	s, err := httpsig.NewKeySigner(r.IMKey, r.IMID)
	check(t, err)
	return s
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	check(t, os.MkdirAll(filepath.Dir(path), 0o700))
	check(t, os.WriteFile(path, b, 0o600))
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package devfed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/imserver"
)

// actor approves the federation's registrations in the audit log.
const actor = "system:serve-dev"

// startIM opens the i-th IM server: on its first start it makes its key,
// registers it at m and approves it, and remembers its addresses in its
// config.json for the next start.
func startIM(ctx context.Context, o Options, m *server.Server, i int) (Member, *imserver.Server, error) {
	id := ServerID(i)
	dir := filepath.Join(o.DataDir, id)
	idDir := imserver.IdentityDir(dir)
	member := Member{ServerID: id, DataDir: dir, User: demoUser(i),
		Key: filepath.Join(idDir, "key.pem"), Cert: filepath.Join(idDir, "cert.pem"), Root: filepath.Join(idDir, "root.crt")}
	cfg, err := imserver.LoadConfigDefault(dir)
	if err != nil {
		return member, nil, fmt.Errorf("devfed: %s: %w", id, err)
	}
	if cfg.Listen == "" {
		if cfg.Listen, err = imAddr(o.IMAddr, i); err != nil {
			return member, nil, err
		}
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return member, nil, fmt.Errorf("devfed: %s: listening on %s: %w (pass another address)", id, cfg.Listen, err)
	}
	if cfg.Address == "" {
		cfg.Address = "http://" + ln.Addr().String()
	}
	cfg.DataDir, cfg.ServerID, cfg.Listener, cfg.MgmtURL, cfg.Logger = dir, id, ln, m.URL(), o.Logger.With("server", id)
	if _, err := os.Stat(member.Cert); errors.Is(err, os.ErrNotExist) {
		if err := register(ctx, m, cfg, member); err != nil {
			ln.Close()
			return member, nil, err
		}
	}
	srv, err := imserver.New(cfg)
	if err != nil {
		ln.Close()
		return member, nil, fmt.Errorf("devfed: starting %s: %w", id, err)
	}
	member.URL = cfg.Address
	return member, srv, nil
}

// register makes the server's key, has the management server approve it
// at once, and writes its identity and settings.
func register(ctx context.Context, m *server.Server, cfg imserver.Config, member Member) error {
	key, err := pki.GenerateKey()
	if err != nil {
		return err
	}
	csr, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: cfg.ServerID, ServerName: "Dev " + cfg.ServerID})
	if err != nil {
		return err
	}
	svc := m.Service()
	app, err := svc.Submit(ctx, api.SubmitRequest{ServerID: cfg.ServerID, ServerName: "Dev " + cfg.ServerID, ServerAddress: cfg.Address,
		ContactName: "operator of " + cfg.ServerID, ContactEmail: "root@localhost", ContactMobile: "000", OwnerID: cfg.ServerID,
		CSR: string(pki.EncodeCSRPEM(csr))})
	if err != nil {
		return fmt.Errorf("devfed: registering %s: %w", cfg.ServerID, err)
	}
	if _, err := svc.Approve(ctx, app.ID, actor, "local federation of imictl serve --dev"); err != nil {
		return fmt.Errorf("devfed: approving %s: %w", cfg.ServerID, err)
	}
	st, err := svc.Status(ctx, app.ID)
	if err != nil {
		return err
	}
	keyPEM, err := pki.EncodePrivateKeyPEM(key, nil)
	if err != nil {
		return err
	}
	settings, err := json.MarshalIndent(imserver.Config{ServerID: cfg.ServerID, Address: cfg.Address, Listen: cfg.Listener.Addr().String()}, "", "  ")
	if err != nil {
		return err
	}
	for _, file := range []struct {
		path string
		data []byte
	}{
		{member.Key, keyPEM},
		{member.Root, m.CA().RootPEM()},
		{imserver.ConfigPath(member.DataDir), append(settings, '\n')},
		{member.Cert, pki.EncodeCertificatePEM(st.Certificate)}, // last: it marks a complete registration
	} {
		if err := writeFile(file.path, file.data); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver"
)

// actorBootstrap approves the registration of the IM server that serve
// runs beside its own management server, in the audit log.
const actorBootstrap = "system:serve-bootstrap"

// Polling of a pending registration: quick at first (an administrator at
// hand approves within seconds), then every few seconds.
const (
	pollFirst = 100 * time.Millisecond
	pollMax   = 5 * time.Second
)

// requestFile remembers, across restarts, the application a first start
// submitted and waits for.
const requestFile = "request.json"

// prepare makes sure the IM server has its identity. A registered server
// only needs its key's password, if any. On the first start it gets a root
// to trust, a key, and a certificate: from the management server of this
// process at once (the local bootstrap, the only registration approved
// without an administrator), or else from one elsewhere once an
// administrator approves (s.pending, waited for in Serve).
func (s *imService) prepare(ctx context.Context, o *Options, env *Env) error {
	cfg := &s.cfg
	keyPath := identityPath(cfg.DataDir, cfg.KeyFile, "key.pem")
	certPath := identityPath(cfg.DataDir, cfg.CertFile, "cert.pem")
	rootPath := identityPath(cfg.DataDir, cfg.RootFile, "root.crt")
	if exists(certPath) {
		keyPEM, err := os.ReadFile(keyPath)
		if err != nil {
			return fmt.Errorf("reading the IM server's key: %w", err)
		}
		return keyPassword(env.F, &o.IM, cfg, keyPEM)
	}

	if cfg.ServerID == "" {
		cfg.ServerID = DefaultLocalServerID // preflightIM made sure it is local
	}
	root, err := trustRoot(ctx, o, env, s.local, cfg.MgmtURL, rootPath)
	if err != nil {
		return err
	}
	key, err := firstKey(env.F, o, cfg, keyPath)
	if err != nil {
		return err
	}
	req, err := submission(o.IM.Registration, cfg, key)
	if err != nil {
		return err
	}
	// Remember the settings, so that later starts need no flags: the
	// management server's URL only when it is elsewhere (the local one may
	// move with --mgmt-addr).
	var settings *imserver.Config
	if o.IM.Config == "" && !exists(imserver.ConfigPath(cfg.DataDir)) {
		settings = &imserver.Config{ServerID: cfg.ServerID, Address: cfg.Address, Listen: cfg.Listener.Addr().String()}
		if !s.local {
			settings.MgmtURL = cfg.MgmtURL
		}
	}
	if s.local {
		if err := s.bootstrapLocal(ctx, env, req, certPath); err != nil {
			return err
		}
		return saveSettings(cfg.DataDir, settings)
	}
	public, err := mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: cfg.MgmtURL, Root: root, Key: key, ServerID: cfg.ServerID})
	if err != nil {
		return err
	}
	p := &pendingRegistration{public: public, serverID: cfg.ServerID, mgmtURL: cfg.MgmtURL, log: s.log, dataDir: cfg.DataDir, settings: settings,
		certPath: certPath, requestPath: filepath.Join(filepath.Dir(certPath), requestFile)}
	if err := p.submit(ctx, req); err != nil {
		return err
	}
	s.pending = p
	return nil
}

// trustRoot returns the root the IM server trusts, writing it to rootPath
// on the way: the CA of this process, a root already there, --root FILE,
// or the management server's root pinned by --mgmt-fingerprint.
func trustRoot(ctx context.Context, o *Options, env *Env, local bool, mgmtURL, rootPath string) (*smx509.Certificate, error) {
	var pemBytes []byte
	switch {
	case local:
		pemBytes = env.Mgmt.CA().RootPEM()
	case o.IM.Root != "":
		b, err := os.ReadFile(o.IM.Root)
		if err != nil {
			return nil, fmt.Errorf("reading --root: %w", err)
		}
		pemBytes = b
	case o.IM.Fingerprint != "":
		public, err := mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: mgmtURL})
		if err != nil {
			return nil, err
		}
		if _, pemBytes, err = public.Bootstrap(ctx, o.IM.Fingerprint); err != nil {
			return nil, mgmtutil.Error(fmt.Errorf("fetching the root of %s: %w", mgmtURL, err))
		}
	default: // preflightIM made sure there is one
		b, err := os.ReadFile(rootPath)
		if err != nil {
			return nil, err
		}
		pemBytes = b
	}
	root, err := pki.ParseCertificatePEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("the management server's root: %w", err)
	}
	if old, err := os.ReadFile(rootPath); err == nil {
		if oldRoot, perr := pki.ParseCertificatePEM(old); perr != nil || !bytes.Equal(oldRoot.Raw, root.Raw) {
			return nil, fmt.Errorf("%s holds another root than the management server's: remove it if the IM server has changed management servers", rootPath)
		}
		return root, nil
	}
	return root, writeIdentityFile(rootPath, pki.EncodeCertificatePEM(root.Raw))
}

// firstKey returns the key to register: the one an interrupted first start
// made, or a new one, encrypted unless --insecure.
func firstKey(f *cmdutil.Factory, o *Options, cfg *imserver.Config, keyPath string) (*sm2.PrivateKey, error) {
	if b, err := os.ReadFile(keyPath); err == nil {
		if err := keyPassword(f, &o.IM, cfg, b); err != nil {
			return nil, err
		}
		key, err := pki.DecodePrivateKeyPEM(b, cfg.KeyPassword)
		if err != nil {
			return nil, mgmtutil.Error(fmt.Errorf("the IM server's key %s: %w", keyPath, err))
		}
		return key, nil
	}
	if !o.Insecure {
		pw, err := cmdutil.Password(f, cmdutil.PasswordOptions{File: o.IM.PasswordFile, FileFlag: imPasswordFlag, Title: "New password for the IM server's key", New: true})
		if err != nil {
			return nil, err
		}
		cfg.KeyPassword = pw
	}
	key, err := pki.GenerateKey()
	if err != nil {
		return nil, err
	}
	pemBytes, err := pki.EncodePrivateKeyPEM(key, cfg.KeyPassword)
	if err != nil {
		return nil, err
	}
	return key, writeIdentityFile(keyPath, pemBytes)
}

// submission is the application of the first start. The contact fields
// default to placeholders an administrator recognises.
func submission(r Registration, cfg *imserver.Config, key *sm2.PrivateKey) (api.SubmitRequest, error) {
	or := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	name := or(r.Name, cfg.ServerID)
	csr, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: cfg.ServerID, ServerName: name})
	if err != nil {
		return api.SubmitRequest{}, err
	}
	req := api.SubmitRequest{
		ServerID: cfg.ServerID, ServerName: name, ServerAddress: cfg.Address,
		ContactName: or(r.ContactName, "operator of "+cfg.ServerID), ContactEmail: or(r.ContactEmail, "root@localhost"),
		ContactMobile: or(r.ContactMobile, "000"), OwnerID: or(r.OwnerID, cfg.ServerID),
		CSR: string(pki.EncodeCSRPEM(csr)),
	}
	if err := req.Validate(); err != nil {
		return req, cmdutil.UsageError("the registration of the IM server: %v (see --name, --im-public-url and the --contact-* flags)", err)
	}
	return req, nil
}

// bootstrapLocal registers the IM server at the management server of this
// process and approves it at once. This is the only registration approved
// without review: both servers are this command's, in one data directory.
func (s *imService) bootstrapLocal(ctx context.Context, env *Env, req api.SubmitRequest, certPath string) error {
	svc := env.Mgmt.Service()
	app, err := svc.Submit(ctx, req)
	if err != nil {
		return mgmtutil.Error(fmt.Errorf("registering the IM server %s at the local management server: %w", req.ServerID, err))
	}
	if _, err := svc.Approve(ctx, app.ID, actorBootstrap, "local bootstrap of imictl serve"); err != nil {
		return mgmtutil.Error(fmt.Errorf("approving the local IM server %s: %w", req.ServerID, err))
	}
	st, err := svc.Status(ctx, app.ID)
	if err != nil {
		return err
	}
	env.Log.Info("registered the local IM server and approved it automatically (local bootstrap: no other application is ever approved without an administrator)",
		"serverId", req.ServerID, "requestId", app.ID, "address", req.ServerAddress)
	return writeIdentityFile(certPath, pki.EncodeCertificatePEM(st.Certificate))
}

// pendingRegistration is an application to a management server elsewhere,
// waiting for an administrator.
type pendingRegistration struct {
	public                *mgmtclient.Public
	serverID, mgmtURL     string
	reqID                 string
	certPath, requestPath string
	dataDir               string
	settings              *imserver.Config // saved once approved, when set
	log                   func(msg string, args ...any)
}

// savedRequest is the content of requestFile.
type savedRequest struct {
	RequestID string `json:"requestId"`
	ServerID  string `json:"serverId"`
	MgmtURL   string `json:"mgmtURL"`
}

// submit applies, unless an earlier start applied already to the same
// management server: then it goes on waiting for that application.
func (p *pendingRegistration) submit(ctx context.Context, req api.SubmitRequest) error {
	var saved savedRequest
	if b, err := os.ReadFile(p.requestPath); err == nil && json.Unmarshal(b, &saved) == nil &&
		saved.ServerID == p.serverID && saved.MgmtURL == p.mgmtURL && saved.RequestID != "" {
		p.reqID = saved.RequestID
		p.log("the IM server's registration is still waiting for approval", "serverId", p.serverID, "requestId", p.reqID, "mgmt", p.mgmtURL)
		return nil
	}
	id, err := p.public.Submit(ctx, req)
	if err != nil {
		return mgmtutil.Error(fmt.Errorf("registering the IM server %s at %s: %w", p.serverID, p.mgmtURL, err))
	}
	p.reqID = id
	b, err := json.Marshal(savedRequest{RequestID: id, ServerID: p.serverID, MgmtURL: p.mgmtURL})
	if err != nil {
		return err
	}
	if err := writeIdentityFile(p.requestPath, b); err != nil {
		return err
	}
	p.log("registration submitted: waiting for an administrator of the management server to approve it (imictl admin approve "+id+")",
		"serverId", p.serverID, "requestId", id, "mgmt", p.mgmtURL)
	return nil
}

// wait polls the application until it is decided, and returns the
// certificate (PEM) of an approval. A management server out of reach is
// retried; a rejection, or a refusal to answer, is returned.
func (p *pendingRegistration) wait(ctx context.Context) ([]byte, error) {
	interval := pollFirst
	for {
		st, err := p.public.Status(ctx, p.reqID)
		var me *mgmt.Error
		var ae *httpsig.AuthError
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case unavailable(err):
			p.log("the management server is unavailable; trying again", "mgmt", p.mgmtURL, "err", err)
		case errors.As(err, &me), errors.As(err, &ae):
			return nil, mgmtutil.Error(fmt.Errorf("following the registration %s at %s: %w (remove %s to apply anew)", p.reqID, p.mgmtURL, err, p.requestPath))
		case err != nil:
			p.log("cannot reach the management server; trying again", "mgmt", p.mgmtURL, "err", err)
		case st.Status == api.RequestApproved:
			p.log("registration approved", "serverId", p.serverID, "requestId", p.reqID)
			return []byte(st.ServerCert), nil
		case st.Status == api.RequestRejected:
			os.Remove(p.requestPath)
			return nil, &cmdutil.ExitError{Code: cmdutil.ExitFailure, Reason: "rejected", Err: fmt.Errorf(
				"the management server rejected the registration of %s (%s): %s; start again to apply anew", p.serverID, p.reqID, st.StatusReason)}
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		interval = min(2*interval, pollMax)
	}
}

// unavailable reports a refusal that asks to come back later (503: the
// management server's directory, CRL or replay cache is not ready), which
// waiting for a decision rides out like a network error.
func unavailable(err error) bool {
	var me *mgmt.Error
	var ae *httpsig.AuthError
	return errors.As(err, &me) && me.Status == http.StatusServiceUnavailable ||
		errors.As(err, &ae) && ae.Status == http.StatusServiceUnavailable
}

// finish stores the certificate an approval issued, and the settings.
func (p *pendingRegistration) finish(certPEM []byte) error {
	if _, err := pki.ParseCertificatePEM(certPEM); err != nil {
		return fmt.Errorf("the certificate the management server issued: %w", err)
	}
	if err := saveSettings(p.dataDir, p.settings); err != nil {
		return err
	}
	if err := writeIdentityFile(p.certPath, certPEM); err != nil {
		return err
	}
	return os.Remove(p.requestPath)
}

// saveSettings writes the configuration file of a first start (nothing
// when settings is nil).
func saveSettings(dataDir string, settings *imserver.Config) error {
	if settings == nil {
		return nil
	}
	b, err := json.MarshalIndent(settings, "", "  ")
	if err != nil {
		return err
	}
	return writeIdentityFile(imserver.ConfigPath(dataDir), append(b, '\n'))
}

// writeIdentityFile writes one of the IM server's files, 0600 in a 0700
// directory, replacing what was there.
func writeIdentityFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return cmdutil.WriteFileAtomic(path, data, 0o600, true)
}

package serve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// IMOptions are the reference IM server's flags.
type IMOptions struct {
	Addr         string // --im-addr: where it listens
	PublicURL    string // --im-public-url: the serverAddress registered
	MgmtURL      string // --mgmt-url: a management server elsewhere
	Config       string // --config: the JSON configuration
	PasswordFile string // --im-password-file: the key's password
	// Root and Fingerprint pin the root of a management server elsewhere,
	// for the first registration.
	Root, Fingerprint string
	// Registration holds --server-id, --name and the contact flags.
	Registration Registration

	addrSet bool // --im-addr was given (else the configuration's, else the default)
}

// Registration is what the first start submits to register the server.
type Registration struct {
	ServerID, Name                           string
	ContactName, ContactEmail, ContactMobile string
	OwnerID                                  string
}

// DefaultLocalServerID names the IM server that `imictl serve` runs beside
// its management server when nothing else names it.
const DefaultLocalServerID = "local-im"

const imPasswordFlag = "im-password-file"

func addIMFlags(cmd *cobra.Command, o *Options) {
	m := &o.IM
	r := &m.Registration
	fl := cmd.Flags()
	fl.StringVar(&m.Addr, "im-addr", imserver.DefaultListen, "the IM server listens on `HOST:PORT`")
	fl.StringVar(&m.PublicURL, "im-public-url", "", "the IM server's `URL` as peers reach it, registered as its serverAddress (default http://HOST:PORT of --im-addr)")
	fl.StringVar(&m.MgmtURL, "mgmt-url", "", "the management server's `URL` when it runs elsewhere (default: the one this command runs)")
	fl.StringVar(&m.Config, "config", "", "the IM server's configuration `FILE` (default <data-dir>/im/config.json, if any)")
	fl.StringVar(&m.PasswordFile, imPasswordFlag, "", "read the password of the IM server's key from the first line of `FILE`")
	fl.StringVar(&m.Root, "root", "", "first registration with a management server elsewhere: its root certificate `FILE` (from imictl ca root)")
	fl.StringVar(&m.Fingerprint, "mgmt-fingerprint", "", "first registration with a management server elsewhere: fetch its root and accept it only with this SHA-256 or SM3 `FINGERPRINT`")
	fl.StringVar(&r.ServerID, "server-id", "", "the IM server's serverId `ID` (default "+DefaultLocalServerID+" beside a local management server)")
	fl.StringVar(&r.Name, "name", "", "first registration: the IM server's display `NAME` (default: its serverId)")
	fl.StringVar(&r.ContactName, "contact-name", "", "first registration: the technical contact's `NAME`")
	fl.StringVar(&r.ContactEmail, "contact-email", "", "first registration: the contact's e-mail `ADDRESS`")
	fl.StringVar(&r.ContactMobile, "contact-mobile", "", "first registration: the contact's mobile `NUMBER`")
	fl.StringVar(&r.OwnerID, "owner-id", "", "first registration: the `ID` of the organisation that runs the server (default: its serverId)")
	cmd.MarkFlagsMutuallyExclusive("insecure", imPasswordFlag)
	cmd.MarkFlagsMutuallyExclusive("root", "mgmt-fingerprint")
}

func (m *IMOptions) check(cmd *cobra.Command) error {
	m.addrSet = cmd.Flags().Changed("im-addr")
	if m.MgmtURL != "" {
		u, err := identity.NormalizeMgmtURL(m.MgmtURL)
		if err != nil {
			return cmdutil.UsageError("invalid --mgmt-url %q: want a base URL like https://mgmt.example.com", m.MgmtURL)
		}
		m.MgmtURL = u
	}
	if m.PublicURL != "" {
		if _, err := identity.NormalizeMgmtURL(m.PublicURL); err != nil {
			return cmdutil.UsageError("invalid --im-public-url %q: want a base URL like https://im.example.com", m.PublicURL)
		}
	}
	if id := m.Registration.ServerID; id != "" {
		if err := ids.ValidateServerID(id); err != nil {
			return cmdutil.UsageError("invalid --server-id: %v", err)
		}
	}
	return nil
}

// imService is the reference IM server: run at once when it has its
// certificate, else after its registration is approved.
type imService struct {
	cfg     imserver.Config
	srv     *imserver.Server
	pending *pendingRegistration // a registration waiting for an administrator
	// local: the management server is the one this process runs, the only
	// one that approves the IM server's registration without review.
	local bool
	log   func(msg string, args ...any)
}

// startIM prepares the IM server: its configuration from the file and
// the flags, its listener, and, on the first start, its identity and its
// registration, approved at once by the management server of this process
// (the local bootstrap) and otherwise waited for in Serve.
func startIM(ctx context.Context, o *Options, env *Env) (Service, error) {
	cfg, err := loadIMConfig(o, env)
	if err != nil {
		return nil, err
	}
	// Local: the management server of this process, named by nobody.
	isLocal := cfg.MgmtURL == ""
	if isLocal {
		cfg.MgmtURL = env.Mgmt.URL() // preflightIM made sure it runs
	}
	// Listen first: the address to register may depend on the port.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("starting the IM server: listening on %s: %w (is another server using it? pass --im-addr HOST:PORT)", cfg.Listen, err)
	}
	cfg.Listener = ln
	if cfg.Address == "" {
		scheme := "http"
		if cfg.TLSCert != "" {
			scheme = "https"
		}
		cfg.Address = scheme + "://" + ln.Addr().String()
	}
	s := &imService{cfg: cfg, local: isLocal, log: env.Log.Info}
	if err := s.prepare(ctx, o, env); err != nil {
		ln.Close()
		return nil, err
	}
	if s.pending == nil {
		if err := s.open(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// loadIMConfig is the IM server's configuration: the file's, overridden
// by the flags.
func loadIMConfig(o *Options, env *Env) (imserver.Config, error) {
	m := &o.IM
	var cfg imserver.Config
	var err error
	if m.Config == "" {
		cfg, err = imserver.LoadConfigDefault(env.DataDir)
	} else if cfg, err = imserver.LoadConfig(m.Config); errors.Is(err, fs.ErrNotExist) {
		return cfg, cmdutil.UsageError("--config %s: no such file", m.Config)
	}
	if err != nil {
		return cfg, err
	}
	cfg.DataDir, cfg.Logger, cfg.Ops = env.DataDir, env.Log, env.Ops.Service("im")
	if m.addrSet || cfg.Listen == "" {
		cfg.Listen = m.Addr
	}
	if m.PublicURL != "" {
		cfg.Address = m.PublicURL
	}
	if m.Registration.ServerID != "" {
		cfg.ServerID = m.Registration.ServerID
	}
	if m.MgmtURL != "" {
		cfg.MgmtURL = m.MgmtURL
	}
	return cfg, nil
}

// preflightIM refuses, before anything starts, what the IM server's start
// would: no management server to use, and on the first start no serverId
// or root for a management server elsewhere, or no way to get the
// password of a new key.
func preflightIM(o *Options, env *Env) error {
	cfg, err := loadIMConfig(o, env)
	if err != nil {
		return err
	}
	remote := cfg.MgmtURL != ""
	if !remote && !o.runs("mgmt") {
		return cmdutil.UsageError("--im alone runs an IM server for a management server elsewhere: pass --mgmt-url URL (or set mgmtURL in %s)", imserver.ConfigPath(env.DataDir))
	}
	if exists(identityPath(cfg.DataDir, cfg.CertFile, "cert.pem")) {
		return nil
	}
	switch {
	case remote && cfg.ServerID == "":
		return cmdutil.UsageError("the first start registers the IM server at %s: name it with --server-id ID", cfg.MgmtURL)
	case remote && o.IM.Root == "" && o.IM.Fingerprint == "" && !exists(identityPath(cfg.DataDir, cfg.RootFile, "root.crt")):
		return cmdutil.UsageError("the first start needs the root of the management server at %s, to trust its answers: pass --root FILE "+
			"(written by `imictl ca root --out FILE` where it runs) or --mgmt-fingerprint FP (printed by `imictl ca root`)", cfg.MgmtURL)
	case !o.Insecure && !exists(identityPath(cfg.DataDir, cfg.KeyFile, "key.pem")) &&
		o.IM.PasswordFile == "" && env.F.Getenv(cmdutil.PasswordFileEnv) == "" && !env.F.IOStreams.CanPrompt():
		return cmdutil.UsageError("the first start creates the IM server's key, encrypted: pass --%s FILE (or run on a terminal to type the password); "+
			"--insecure leaves it unencrypted, for tests and demonstrations only", imPasswordFlag)
	}
	return nil
}

// open builds the server from its complete identity.
func (s *imService) open() error {
	srv, err := imserver.New(s.cfg)
	if err != nil {
		s.cfg.Listener.Close() // New closes it only once it got that far
		err = fmt.Errorf("starting the IM server: %w", err)
		if errors.Is(err, imstore.ErrLocked) {
			return &cmdutil.ExitError{Code: cmdutil.ExitUnavailable, Reason: "database_locked", Err: err}
		}
		return err
	}
	s.srv = srv
	return nil
}

// Serve waits for a pending registration, then runs the server until ctx
// ends. Interrupted while waiting, it returns nil: the next start goes on
// waiting for the same application.
func (s *imService) Serve(ctx context.Context) error {
	if s.pending != nil {
		cert, err := s.pending.wait(ctx)
		if ctx.Err() != nil {
			s.cfg.Listener.Close()
			return nil
		}
		if err == nil {
			err = s.pending.finish(cert)
		}
		if err != nil {
			s.cfg.Listener.Close()
			return err
		}
		if err := s.open(); err != nil {
			return err
		}
	}
	return s.srv.Run(ctx)
}

// Close releases a server that was never served.
func (s *imService) Close() error {
	if s.srv != nil {
		return s.srv.Close()
	}
	return s.cfg.Listener.Close()
}

// identityPath is where an identity file is, as imserver resolves it:
// relative paths are relative to <data-dir>/im.
func identityPath(dataDir, p, name string) string {
	if p == "" {
		return filepath.Join(imserver.IdentityDir(dataDir), name)
	}
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(imserver.Dir(dataDir), p)
}

// keyPassword reads the key's password when the key is encrypted and the
// configuration does not say where the password is.
func keyPassword(f *cmdutil.Factory, o *IMOptions, cfg *imserver.Config, keyPEM []byte) error {
	if !pki.IsEncryptedKeyPEM(keyPEM) || cfg.PasswordFile != "" && o.PasswordFile == "" {
		return nil
	}
	pw, err := cmdutil.Password(f, cmdutil.PasswordOptions{File: o.PasswordFile, FileFlag: imPasswordFlag, Title: "Password of the IM server's key"})
	cfg.KeyPassword = pw
	return err
}

// exists reports whether path exists (an error other than "does not
// exist" counts as existing: opening it will report it).
func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

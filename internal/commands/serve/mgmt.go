package serve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// MgmtOptions are the management server's flags.
type MgmtOptions struct {
	Addr           string
	PublicURL      string
	TLSCert        string
	TLSKey         string
	CAPasswordFile string
	// ConfigFile holds the store settings (mgmtutil.StoreFile); default
	// <data-dir>/mgmt/config.json, if any. Flags override it.
	ConfigFile string
	Store      string // bbolt or etcd
	Etcd       mgmtutil.EtcdFlags
	// AdminAddr serves the admin API over TCP to administrators with an
	// administrator certificate (or "adminAddr" in ConfigFile); none by
	// default.
	AdminAddr string

	changed func(flag string) bool // which flags were given
}

const caPasswordFlag = "ca-password-file"

func addMgmtFlags(cmd *cobra.Command, o *Options) {
	m := &o.Mgmt
	fl := cmd.Flags()
	fl.StringVar(&m.Addr, "mgmt-addr", server.DefaultAddr, "the management server listens on `HOST:PORT`")
	fl.StringVar(&m.PublicURL, "mgmt-public-url", "", "the management server's `URL` as IM servers reach it, written into certificates as the CRL location (default http://HOST:PORT)")
	fl.StringVar(&m.TLSCert, "mgmt-tls-cert", "", "serve the management API over TLS with this certificate `FILE`")
	fl.StringVar(&m.TLSKey, "mgmt-tls-key", "", "and this key `FILE`")
	fl.StringVar(&m.CAPasswordFile, caPasswordFlag, "", "read the CA password from the first line of `FILE`")
	cmd.MarkFlagsRequiredTogether("mgmt-tls-cert", "mgmt-tls-key")
	cmd.MarkFlagsMutuallyExclusive("insecure", caPasswordFlag)
	fl.StringVar(&m.ConfigFile, "mgmt-config", "", "the management server's configuration `FILE` (store settings; default <data-dir>/mgmt/config.json, if any)")
	fl.StringVar(&m.Store, "store", "", "keep the registry in `STORE`: bbolt (a file in --data-dir, the default) or etcd (shared by replicas, see --etcd-endpoints)")
	mgmtutil.AddEtcdFlags(fl, &m.Etcd, true)
	fl.StringVar(&m.AdminAddr, "admin-addr", "", "also serve the admin API on `HOST:PORT` (\":PORT\" binds loopback), every call signed with an administrator certificate (ca sign --admin); none by default")
}

func (m *MgmtOptions) check(cmd *cobra.Command) error {
	m.changed = cmd.Flags().Changed
	if m.Store != "" && m.Store != mgmtutil.StoreBbolt && m.Store != mgmtutil.StoreEtcd {
		return cmdutil.UsageError("invalid --store %q: want bbolt or etcd", m.Store)
	}
	if m.AdminAddr != "" {
		if _, _, err := net.SplitHostPort(m.AdminAddr); err != nil {
			return cmdutil.UsageError("invalid --admin-addr %q: want HOST:PORT, e.g. 0.0.0.0:8444 (:PORT binds loopback)", m.AdminAddr)
		}
	}
	if m.PublicURL != "" {
		if _, err := identity.NormalizeMgmtURL(m.PublicURL); err != nil {
			return cmdutil.UsageError("invalid --mgmt-public-url %q: want a base URL like https://mgmt.example.com", m.PublicURL)
		}
	}
	return nil
}

// startMgmt opens the management server (creating its CA on the first
// start) and binds its listeners.
func startMgmt(_ context.Context, o *Options, env *Env) (Service, error) {
	m := &o.Mgmt
	etcd, err := m.loadConfig(env.DataDir)
	if err != nil {
		return nil, err
	}
	cfg := server.Config{
		DataDir: env.DataDir, Addr: m.Addr, PublicURL: m.PublicURL, AdminAddr: m.AdminAddr,
		TLSCertFile: m.TLSCert, TLSKeyFile: m.TLSKey, Logger: env.Log, Ops: env.Ops.Service("mgmt"),
	}
	if etcd != nil {
		cfg.Etcd = etcd
		err = sharedCASecrets(env.F, m, o.Insecure, &cfg)
	} else {
		err = caSecrets(env.F, m, o.Insecure, &cfg)
	}
	if err != nil {
		return nil, err
	}
	s, err := server.New(cfg)
	clear(cfg.CAPassword)
	if err != nil {
		return nil, mgmtutil.Error(fmt.Errorf("starting the management server: %w", err))
	}
	if err := s.Listen(); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("starting the management server: %w", err)
	}
	fp := key.FingerprintsOf(s.CA().Root.Cert.Raw)
	where := mgmt.DBPath(env.DataDir)
	if cfg.Etcd != nil {
		where = "etcd " + strings.Join(cfg.Etcd.Endpoints, ",")
	}
	env.Log.Info("management server listening", "url", s.URL(), "admin", mgmt.SocketPath(env.DataDir), "remoteAdmin", s.AdminURL(),
		"serverId", s.CA().SelfID, "rootSHA256", fp.SHA256, "store", where)
	env.Mgmt = s
	return s, nil
}

// caSecrets fills cfg with what the CA needs: its password when it exists
// and is encrypted; on the first start, how to create it.
func caSecrets(f *cmdutil.Factory, m *MgmtOptions, insecure bool, cfg *server.Config) error {
	dir := mgmt.CADir(cfg.DataDir)
	_, err := os.Stat(filepath.Join(dir, ca.RootCertFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		create := &ca.InitOptions{}
		if !insecure {
			if m.CAPasswordFile == "" && f.Getenv(cmdutil.PasswordFileEnv) == "" && !f.IOStreams.CanPrompt() {
				return cmdutil.UsageError("the first start creates the CA, whose keys are encrypted: pass --%s FILE (or run on a terminal to type the password); --insecure creates unencrypted keys, for tests and demonstrations only", caPasswordFlag)
			}
			pw, err := cmdutil.Password(f, cmdutil.PasswordOptions{File: m.CAPasswordFile, FileFlag: caPasswordFlag, Title: "New CA password", New: true})
			if err != nil {
				return err
			}
			create.Password = pw
		}
		cfg.InitCA = create
		return nil
	case err != nil:
		return err
	}
	enc, err := ca.IsEncrypted(dir)
	if err != nil || !enc {
		return err
	}
	cfg.CAPassword, err = cmdutil.Password(f, cmdutil.PasswordOptions{File: m.CAPasswordFile, FileFlag: caPasswordFlag, Title: "CA password"})
	return err
}

// loadConfig reads the configuration file under the flags: it returns
// where the registry lives (nil for the bbolt file in the data directory)
// and sets m.AdminAddr from the file unless --admin-addr was given.
func (m *MgmtOptions) loadConfig(dataDir string) (*store.EtcdConfig, error) {
	path, optional := m.ConfigFile, false
	if path == "" {
		path, optional = filepath.Join(mgmt.Dir(dataDir), "config.json"), true
	}
	file, err := mgmtutil.LoadStoreFile(path, optional)
	if err != nil {
		return nil, err
	}
	if m.changed("store") {
		file.Store = m.Store
	}
	file.Etcd.Override(m.Etcd, m.changed)
	if !m.changed("admin-addr") {
		m.AdminAddr = file.AdminAddr
	}
	switch file.Store {
	case "", mgmtutil.StoreBbolt:
		if len(file.Etcd.Endpoints) > 0 && m.changed("etcd-endpoints") {
			return nil, cmdutil.UsageError("--etcd-endpoints is for --store etcd; add --store etcd (or \"store\": \"etcd\" in %s)", path)
		}
		return nil, nil
	case mgmtutil.StoreEtcd:
		cfg, err := file.Etcd.Config()
		return &cfg, err
	}
	return nil, cmdutil.UsageError("invalid store %q in %s: want bbolt or etcd", file.Store, path)
}

// sharedCASecrets is caSecrets for replicas on etcd: the CA there is only
// ever encrypted, so the password is always needed; with it the first
// replica to start creates the CA, and the others load it.
func sharedCASecrets(f *cmdutil.Factory, m *MgmtOptions, insecure bool, cfg *server.Config) error {
	if insecure {
		return cmdutil.UsageError("--insecure is refused with --store etcd: the CA key kept in etcd is always encrypted; give --%s FILE", caPasswordFlag)
	}
	if m.CAPasswordFile == "" && f.Getenv(cmdutil.PasswordFileEnv) == "" && !f.IOStreams.CanPrompt() {
		return cmdutil.UsageError("the management server on etcd needs the CA password (the CA key in etcd is encrypted): pass --%s FILE, the same on every replica", caPasswordFlag)
	}
	pw, err := cmdutil.Password(f, cmdutil.PasswordOptions{File: m.CAPasswordFile, FileFlag: caPasswordFlag, Title: "CA password"})
	if err != nil {
		return err
	}
	cfg.CAPassword = pw
	cfg.InitCA = &ca.InitOptions{Password: pw}
	return nil
}

package serve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/server"
)

// MgmtOptions are the management server's flags.
type MgmtOptions struct {
	Addr           string
	PublicURL      string
	TLSCert        string
	TLSKey         string
	CAPasswordFile string
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
}

func (m *MgmtOptions) check() error {
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
	cfg := server.Config{
		DataDir: env.DataDir, Addr: m.Addr, PublicURL: m.PublicURL,
		TLSCertFile: m.TLSCert, TLSKeyFile: m.TLSKey, Logger: env.Log, Ops: env.Ops.Service("mgmt"),
	}
	if err := caSecrets(env.F, m, o.Insecure, &cfg); err != nil {
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
	env.Log.Info("management server listening", "url", s.URL(), "admin", mgmt.SocketPath(env.DataDir),
		"serverId", s.CA().SelfID, "rootSHA256", fp.SHA256)
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

package mgmtutil

import (
	"context"
	"fmt"

	"github.com/emmansun/gmsm/smx509"
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/pki"
)

// AdminFlags say which management server an administrator's command works
// on: the one of a data directory on this host, or a remote one reached
// with an administrator certificate; and where the CA password comes from
// if the command needs the CA key on a stopped server.
type AdminFlags struct {
	DataDir      string
	PasswordFile string
	passwordFlag string
	Remote       RemoteFlags
}

// RemoteFlags name a remote admin API (serve --admin-addr) and the
// administrator calling it. Each falls back on its environment variable,
// then on the config file's context ($IMICTL_CONTEXT, else the current
// one: admin-url, admin-key, admin-cert, root).
type RemoteFlags struct {
	URL, Key, Cert, Root string
	KeyPasswordFile      string
}

// The remote admin flags and their environment variables.
const (
	FlagAdminURL  = "admin-url"
	FlagAdminKey  = "admin-key"
	FlagAdminCert = "admin-cert"
	FlagRoot      = "root"
	EnvAdminURL   = "IMICTL_ADMIN_URL"
	EnvAdminKey   = "IMICTL_ADMIN_KEY"
	EnvAdminCert  = "IMICTL_ADMIN_CERT"
	EnvRoot       = "IMICTL_ROOT"
)

// AddAdminFlags adds --data-dir, the CA password file flag (named
// passwordFlag: "password-file" in `imictl ca`, where every password is the
// CA's, and "ca-password-file" elsewhere), and the remote admin flags.
func AddAdminFlags(cmd *cobra.Command, a *AdminFlags, passwordFlag string) {
	a.passwordFlag = passwordFlag
	cmdutil.AddDataDirFlag(cmd, &a.DataDir)
	fl := cmd.Flags()
	fl.StringVar(&a.PasswordFile, passwordFlag, "",
		"read the CA password from the first line of `FILE`, if the CA key is needed and the server is stopped")
	r := &a.Remote
	fl.StringVar(&r.URL, FlagAdminURL, "", "call the remote admin API at `URL` (serve --admin-addr) instead of --data-dir; the audit log then names the certificate's administrator ($"+EnvAdminURL+")")
	fl.StringVar(&r.Key, FlagAdminKey, "", "with --admin-url: the administrator's SM2 key `FILE` ($"+EnvAdminKey+")")
	fl.StringVar(&r.Cert, FlagAdminCert, "", "with --admin-url: the administrator certificate `FILE` from `ca sign --admin` ($"+EnvAdminCert+")")
	fl.StringVar(&r.Root, FlagRoot, "", "with --admin-url: the interconnection root `FILE` the server's answers must chain to ($"+EnvRoot+")")
	fl.StringVar(&r.KeyPasswordFile, "admin-password-file", "", "with --admin-url: read the administrator key's password from `FILE`")
}

// Open returns the management server to work on: with --admin-url, the
// remote admin API, every call signed as the administrator; else that of
// the data directory, a running server through its admin socket or its
// database directly (see client.OpenAdmin). The CA password is asked for
// only when an operation needs the CA key on a stopped server. Call done
// when finished.
func (a *AdminFlags) Open(ctx context.Context, f *cmdutil.Factory) (adm mgmt.Admin, done func(), err error) {
	r, err := a.Remote.resolved(f)
	if err != nil {
		return nil, nil, err
	}
	if r.URL != "" {
		remote, err := r.dial(ctx, f)
		if Unreachable(err) {
			return nil, nil, cmdutil.UnavailableError(fmt.Errorf("%w; check --%s and that the server runs with --admin-addr", err, FlagAdminURL))
		}
		if err != nil {
			return nil, nil, Error(err)
		}
		return remote, func() { _ = remote.Close() }, nil
	}
	opts := mgmt.LocalOptions{
		CAPassword: func() ([]byte, error) {
			return cmdutil.Password(f, cmdutil.PasswordOptions{File: a.PasswordFile, FileFlag: a.passwordFlag, Title: "CA password"})
		},
		Service: mgmt.Options{Now: f.Now},
	}
	adm, closer, err := client.OpenAdmin(ctx, cmdutil.DataDir(f, a.DataDir), opts)
	if err != nil {
		return nil, nil, Error(err)
	}
	return adm, func() { _ = closer.Close() }, nil
}

// IsRemote reports whether the command is to call a remote admin API
// (--admin-url or its environment variable).
func (a *AdminFlags) IsRemote(f *cmdutil.Factory) bool {
	r, err := a.Remote.resolved(f)
	return err == nil && r.URL != ""
}

// resolved fills the flags not given from the environment, then from the
// config file's context.
func (r RemoteFlags) resolved(f *cmdutil.Factory) (RemoteFlags, error) {
	ctx, err := adminContext(f)
	if err != nil {
		return r, err
	}
	for _, v := range []struct {
		dst        *string
		env, fromC string
	}{{&r.URL, EnvAdminURL, ctx.AdminURL}, {&r.Key, EnvAdminKey, ctx.AdminKey}, {&r.Cert, EnvAdminCert, ctx.AdminCert}, {&r.Root, EnvRoot, ctx.Root}} {
		if *v.dst == "" {
			*v.dst = f.Getenv(v.env)
		}
		if *v.dst == "" {
			*v.dst = v.fromC
		}
	}
	return r, nil
}

// adminContext is the config file's context in use ($IMICTL_CONTEXT, else
// the current one), empty when there is none.
func adminContext(f *cmdutil.Factory) (identity.Context, error) {
	path := identity.ConfigPath(f)
	cfg, _, err := identity.ReadConfig(path)
	if err != nil {
		return identity.Context{}, err
	}
	name := f.Getenv(identity.EnvContext)
	if name == "" {
		name = cfg.CurrentContext
	}
	if name == "" {
		return identity.Context{}, nil
	}
	c := cfg.Context(name)
	if c == nil {
		return identity.Context{}, cmdutil.UsageError("context %q is not defined in %s (see `imictl config get-contexts`)", name, path)
	}
	return *c, nil
}

func (r RemoteFlags) dial(ctx context.Context, f *cmdutil.Factory) (*client.Admin, error) {
	for _, need := range []struct{ val, flag, env string }{
		{r.Key, FlagAdminKey, EnvAdminKey}, {r.Cert, FlagAdminCert, EnvAdminCert}, {r.Root, FlagRoot, EnvRoot},
	} {
		if need.val == "" {
			return nil, cmdutil.UsageError("--%s needs --%s (or $%s): remote admin calls are signed by an administrator and checked against the root", FlagAdminURL, need.flag, need.env)
		}
	}
	k, _, err := key.ReadPrivateKey(f, r.Key, r.KeyPasswordFile)
	if err != nil {
		return nil, err
	}
	cert, err := readCert(f, r.Cert, "the administrator certificate")
	if err != nil {
		return nil, err
	}
	rootData, err := cmdutil.ReadInput(f.IOStreams, r.Root, cmdutil.MaxInputSize)
	if err != nil {
		return nil, err
	}
	roots, err := pki.ParseCertificatesPEM(rootData)
	if err != nil {
		return nil, fmt.Errorf("--root %s: %w", r.Root, err)
	}
	pool := smx509.NewCertPool()
	for _, c := range roots {
		pool.AddCert(c)
	}
	return client.DialRemote(ctx, client.RemoteOptions{URL: r.URL, Key: k, Cert: cert, Roots: pool, Now: f.Now})
}

func readCert(f *cmdutil.Factory, path, what string) (*smx509.Certificate, error) {
	data, err := cmdutil.ReadInput(f.IOStreams, path, cmdutil.MaxInputSize)
	if err != nil {
		return nil, err
	}
	c, err := pki.ParseCertificatePEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	return c, nil
}

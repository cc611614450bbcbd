// Package identity gives every command that makes signed calls (imictl sns,
// register, dir ...) the same way to say who it is: the serverId, its SM2
// key and certificate, the trusted root and the management server's URL.
//
// Each setting comes from, in order of precedence, a flag, an environment
// variable, or a context of the config file (like kubectl's):
//
//	--server-id ID      IMICTL_SERVER_ID      server-id:
//	--key FILE          IMICTL_KEY            key:
//	--cert FILE         IMICTL_CERT           cert:
//	--root FILE         IMICTL_ROOT           root:
//	--mgmt URL          IMICTL_MGMT           mgmt:
//	--password-file F   IMICTL_PASSWORD_FILE  password-file:
//	--context NAME      IMICTL_CONTEXT        (current-context:)
//
// The config file is $IMICTL_CONFIG, else $XDG_CONFIG_HOME/imictl/config.yaml,
// else ~/.config/imictl/config.yaml; `imictl config` edits it. It holds paths
// only: the key's password stays in its own file or is asked for.
//
// Usage in a command:
//
//	identity.AddFlags(cmd)
//	...
//	id, err := identity.Load(f, cmd) // in RunE
//	signer := id.Signer()
package identity

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// Flag names.
const (
	FlagServerID     = "server-id"
	FlagKey          = "key"
	FlagCert         = "cert"
	FlagRoot         = "root"
	FlagMgmt         = "mgmt"
	FlagPasswordFile = "password-file"
	FlagContext      = "context"
)

// Environment variables, one per flag.
const (
	EnvServerID = "IMICTL_SERVER_ID"
	EnvKey      = "IMICTL_KEY"
	EnvCert     = "IMICTL_CERT"
	EnvRoot     = "IMICTL_ROOT"
	EnvMgmt     = "IMICTL_MGMT"
	EnvContext  = "IMICTL_CONTEXT"
	// EnvPasswordFile is cmdutil.PasswordFileEnv, shared with every command
	// that reads a key.
	EnvPasswordFile = cmdutil.PasswordFileEnv
)

// AddFlags adds the identity flags to cmd.
func AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.String(FlagServerID, "", "`ID` to sign as (default: the one the certificate names; $"+EnvServerID+")")
	fs.String(FlagKey, "", "SM2 private key `FILE` to sign with ($"+EnvKey+")")
	fs.String(FlagCert, "", "certificate `FILE` of that key ($"+EnvCert+")")
	fs.String(FlagRoot, "", "trusted interconnection root certificate `FILE` ($"+EnvRoot+")")
	fs.String(FlagMgmt, "", "management server base `URL` ($"+EnvMgmt+")")
	fs.String(FlagPasswordFile, "", "read the key's password from `FILE` ($"+EnvPasswordFile+")")
	fs.String(FlagContext, "", "use the config file's context `NAME` ($"+EnvContext+", else current-context)")
}

// Needs says which settings a command cannot do without. The serverId and
// the key are always needed: every signed call is signed.
type Needs struct {
	Cert bool // the certificate (every call except an applicant's before approval)
	Root bool // the trusted root, to authenticate signed responses
	Mgmt bool // the management server's URL
}

// Identity is who a command signs as, and whom it trusts.
type Identity struct {
	ServerID string
	Key      *sm2.PrivateKey
	Cert     *smx509.Certificate // nil when not needed and not given
	Roots    *smx509.CertPool    // nil when not needed and not given
	MgmtURL  string              // without a trailing "/"; "" when not needed and not given
	Context  string              // the config file context used, "" for none
	// Settings are the values the identity was loaded from (paths, not
	// contents), for messages and --verbose.
	Settings Settings

	signer *httpsig.Signer
}

// Settings are the resolved values of the identity flags.
type Settings struct {
	ServerID, Key, Cert, Root, Mgmt, PasswordFile string
}

// Signer signs as this identity: with its certificate's key, or, for an
// applicant without a certificate yet (loaded without Needs.Cert and none
// given), with its key alone as ServerID (httpsig.NewKeySigner).
func (id *Identity) Signer() *httpsig.Signer { return id.signer }

// Load returns the identity for a signed interconnection call: serverId,
// key, certificate and root are required; the management URL is optional.
func Load(f *cmdutil.Factory, cmd *cobra.Command) (*Identity, error) {
	return LoadFor(f, cmd, Needs{Cert: true, Root: true})
}

// LoadFor returns the identity with the settings needs requires. A missing
// one is a usage error naming its flag, environment variable and context
// key. The key's password is asked for (or read from the password file)
// only when the key is encrypted.
func LoadFor(f *cmdutil.Factory, cmd *cobra.Command, needs Needs) (*Identity, error) {
	r, err := newResolver(f, cmd)
	if err != nil {
		return nil, err
	}
	s := r.settings()
	id := &Identity{Context: r.ctxName, Settings: s}

	if s.Cert != "" {
		if id.Cert, err = readCert(f, s.Cert); err != nil {
			return nil, err
		}
	} else if needs.Cert {
		return nil, r.missing(FlagCert, EnvCert, "FILE", "the certificate of the key to sign with")
	}
	if id.ServerID, err = r.serverID(id.Cert, s.ServerID); err != nil {
		return nil, err
	}
	if s.Key == "" {
		return nil, r.missing(FlagKey, EnvKey, "FILE", "the SM2 private key to sign with")
	}
	if id.Key, err = readKey(f, s.Key, s.PasswordFile); err != nil {
		return nil, err
	}
	if id.Cert != nil {
		if id.signer, err = httpsig.NewSigner(id.Key, id.Cert); err != nil {
			return nil, cmdutil.UsageError("--%s %s and --%s %s: %v", FlagKey, s.Key, FlagCert, s.Cert, err)
		}
	} else if id.signer, err = httpsig.NewKeySigner(id.Key, id.ServerID); err != nil {
		return nil, err
	}
	if s.Root != "" {
		if id.Roots, err = readRoots(f, s.Root); err != nil {
			return nil, err
		}
	} else if needs.Root {
		return nil, r.missing(FlagRoot, EnvRoot, "FILE", "the interconnection root certificate, to authenticate answers")
	}
	if s.Mgmt != "" {
		if id.MgmtURL, err = NormalizeMgmtURL(s.Mgmt); err != nil {
			return nil, err
		}
	} else if needs.Mgmt {
		return nil, r.missing(FlagMgmt, EnvMgmt, "URL", "the management server's base URL")
	}
	return id, nil
}

// Resolve returns the settings cmd would use (flags, environment, config
// context) without reading any file, for commands that need only some of
// them: the management URL of an unsigned call, or an optional root.
func Resolve(f *cmdutil.Factory, cmd *cobra.Command) (Settings, error) {
	r, err := newResolver(f, cmd)
	if err != nil {
		return Settings{}, err
	}
	return r.settings(), nil
}

// resolver applies the precedence flags > environment > context.
type resolver struct {
	f       *cmdutil.Factory
	cmd     *cobra.Command
	ctx     *Context // nil when no context is in use
	ctxName string
}

func newResolver(f *cmdutil.Factory, cmd *cobra.Command) (*resolver, error) {
	r := &resolver{f: f, cmd: cmd}
	path := ConfigPath(f)
	cfg, exists, err := ReadConfig(path)
	if err != nil {
		return nil, err
	}
	name, from := r.flag(FlagContext), "--"+FlagContext
	if name == "" {
		name, from = f.Getenv(EnvContext), EnvContext
	}
	if name == "" {
		name, from = cfg.CurrentContext, "current-context of "+path
	}
	if name == "" {
		return r, nil
	}
	if r.ctx = cfg.Context(name); r.ctx == nil {
		if !exists {
			return nil, cmdutil.UsageError("%s names context %q but there is no config file %s: create it with `imictl config set-context %s --key FILE --cert FILE ...`", from, name, path, name)
		}
		return nil, cmdutil.UsageError("%s names context %q, which %s does not define (see `imictl config get-contexts`)", from, name, path)
	}
	r.ctxName = name
	return r, nil
}

// flag returns the value of the named flag, "" when cmd does not have it.
func (r *resolver) flag(name string) string {
	if fl := r.cmd.Flags().Lookup(name); fl != nil {
		return strings.TrimSpace(fl.Value.String())
	}
	return ""
}

func (r *resolver) pick(flag, env, fromContext string) string {
	if v := r.flag(flag); v != "" {
		return v
	}
	if v := strings.TrimSpace(r.f.Getenv(env)); v != "" {
		return v
	}
	return fromContext
}

func (r *resolver) settings() Settings {
	c := r.ctx
	if c == nil {
		c = &Context{}
	}
	return Settings{
		ServerID:     r.pick(FlagServerID, EnvServerID, c.ServerID),
		Key:          r.pick(FlagKey, EnvKey, c.Key),
		Cert:         r.pick(FlagCert, EnvCert, c.Cert),
		Root:         r.pick(FlagRoot, EnvRoot, c.Root),
		Mgmt:         r.pick(FlagMgmt, EnvMgmt, c.Mgmt),
		PasswordFile: r.pick(FlagPasswordFile, EnvPasswordFile, c.PasswordFile),
	}
}

// missing is the usage error for a required setting nobody gave.
func (r *resolver) missing(flag, env, metavar, what string) error {
	where := "or add it to a context (`imictl config set-context NAME --" + flag + " " + metavar + "`)"
	if r.ctxName != "" {
		where = fmt.Sprintf("or add it to context %q (`imictl config set-context %s --%s %s`)", r.ctxName, r.ctxName, flag, metavar)
	}
	return cmdutil.UsageError("missing %s: pass --%s %s, set %s, %s", what, flag, metavar, env, where)
}

// serverID is the serverId to sign as: the one the certificate names,
// which --server-id may repeat but not contradict; without a certificate,
// --server-id itself.
func (r *resolver) serverID(cert *smx509.Certificate, given string) (string, error) {
	if cert == nil {
		if given == "" {
			return "", r.missing(FlagServerID, EnvServerID, "ID", "the serverId to sign as")
		}
		if err := pki.ValidateServerID(given); err != nil {
			return "", cmdutil.UsageError("--%s %q: %v", FlagServerID, given, err)
		}
		return given, nil
	}
	named, err := pki.ServerIDFromCertificate(cert)
	if err != nil {
		return "", cmdutil.UsageError("the certificate does not identify an IM server: %v; pass the certificate issued for your serverId", err)
	}
	if given != "" && given != named {
		return "", cmdutil.UsageError("--%s is %q but the certificate names %q: drop --%s or pass the certificate issued for %q", FlagServerID, given, named, FlagServerID, given)
	}
	return named, nil
}

func readCert(f *cmdutil.Factory, path string) (*smx509.Certificate, error) {
	data, err := cmdutil.ReadInput(f.IOStreams, path, cmdutil.MaxInputSize)
	if err != nil {
		return nil, err
	}
	cert, err := pki.ParseCertificatePEM(data)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", path, err)
	}
	return cert, nil
}

// ReadRoots reads the trusted interconnection roots at path ("-" for
// standard input): every certificate there, each a CA certificate.
func ReadRoots(f *cmdutil.Factory, path string) ([]*smx509.Certificate, error) {
	data, err := cmdutil.ReadInput(f.IOStreams, path, cmdutil.MaxInputSize)
	if err != nil {
		return nil, err
	}
	certs, err := pki.ParseCertificatesPEM(data)
	if err != nil {
		return nil, fmt.Errorf("root certificate %s: %w", path, err)
	}
	for _, c := range certs {
		if !c.IsCA {
			return nil, fmt.Errorf("root certificate %s: %q is not a CA certificate: pass the interconnection root (imictl dir bootstrap fetches it)", path, c.Subject.CommonName)
		}
	}
	return certs, nil
}

func readRoots(f *cmdutil.Factory, path string) (*smx509.CertPool, error) {
	certs, err := ReadRoots(f, path)
	if err != nil {
		return nil, err
	}
	pool := smx509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// readKey reads the key to sign with as every command reads a key (a wrong
// password is exit 4), naming it "key" in messages.
func readKey(f *cmdutil.Factory, path, passwordFile string) (*sm2.PrivateKey, error) {
	k, _, err := key.ReadPrivateKey(f, path, passwordFile)
	if err != nil {
		return nil, fmt.Errorf("key %w", err)
	}
	return k, nil
}

// NormalizeMgmtURL accepts an absolute http(s) URL and drops trailing slashes,
// so that paths can be appended.
func NormalizeMgmtURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", cmdutil.UsageError("--%s %q: want the management server's base URL, like https://mgmt.example.com or http://127.0.0.1:8440", FlagMgmt, s)
	}
	return strings.TrimRight(s, "/"), nil
}

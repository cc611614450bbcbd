// Package probe implements `imictl probe`: the layered diagnosis of the
// connection to a peer IM server or to the management server. The checks
// are internal/probe's; this package loads the identity, runs them and
// prints the report.
package probe

import (
	"context"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/commands/sns"
	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/probe"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// Options are the inputs of `imictl probe`.
type Options struct {
	IO        *iostreams.IOStreams
	Format    output.Format
	Target    string // a serverId or a base URL; "" for the management server
	TLSCA     string // --tls-ca: more CAs for the peers' TLS certificates
	IMDataDir string // --im-data-dir: read our lists from this IM server
	Timeout   time.Duration
	Verbose   bool
}

// NewCmdProbe returns `imictl probe`. runF replaces the run step in tests.
func NewCmdProbe(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "probe [SERVERID | URL]",
		Short: "Diagnose the connection to a peer IM server, or to the management server",
		Long: `Find out why calls to or from a peer fail, layer by layer, and what to do:

  address    the directory's record of SERVERID (status, serverAddress), the
             URL, DNS, the TCP connection
  transport  the TLS handshake (https), HTTP/2 and HTTP/1.1, and how the
             peer answers an unsigned request
  identity   its certificate from the management server (M2): chain to your
             pinned root, validity, serverId binding, key usage, revocation
  signed     one signed call, S8 for a user that does not exist: does the
             peer accept our signature (its refusal is shown as sent), and is
             its answer signed by it and bound to our request
  clock      the skew read from the peer's signed answer, against ±5 minutes
  policy     its status in the directory, and your own white/black list
             (--im-data-dir DIR reads those of your reference IM server)

Without SERVERID or URL it probes the management server (--mgmt): address,
transport, its root against your pinned one (--root), the CRL, its own
certificate, a signed directory query (M1) and its clock.

A URL names the peer by address; its serverId is learned from its answers.
Each check is ok, warn, fail or skipped (what it needs failed, or it does
not apply). Nothing is changed anywhere: docs/PROTOCOL.md, section 8,
lists exactly what is sent.

Exit code: 0 when nothing failed (warnings included), 4 when the first
failure is about authentication or certificates, 6 when a server cannot be
reached, 1 otherwise. -o json prints the report (fields: target, kind,
serverId, url, result, exitCode, checks[] of id, layer, status, reason,
finding, next).`,
		Example: `  imictl probe beta-im
  imictl probe https://im.example.com --tls-ca corp-ca.pem -o json
  imictl probe                      # the management server of --mgmt
  imictl probe beta-im --im-data-dir ./imictl-data --verbose`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if len(args) == 1 {
				opts.Target = args[0]
			}
			if err := validate(opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return probeRun(cmd.Context(), f, cmd, opts)
		},
	}
	identity.AddFlags(cmd)
	fl := cmd.Flags()
	fl.StringVar(&opts.TLSCA, "tls-ca", "", "also trust the CA certificates in `FILE` (PEM) for TLS, besides the system's")
	fl.StringVar(&opts.IMDataDir, "im-data-dir", "", "check the white/black list of the reference IM server running on `DIR`")
	fl.DurationVar(&opts.Timeout, "timeout", probe.DefaultTimeout, "give up on each network step after `DURATION`")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "show every request and answer, headers included, on standard error")
	return cmd
}

func validate(o *Options) error {
	if o.Timeout <= 0 {
		return cmdutil.UsageError("--timeout must be positive")
	}
	t := o.Target
	switch {
	case t == "" || ids.ValidateServerID(t) == nil:
	case strings.Contains(t, "://"):
		if !ids.IsBaseURL(strings.TrimRight(t, "/")) {
			return cmdutil.UsageError("%q: want a base URL like https://im.example.com or http://127.0.0.1:8441", t)
		}
	default:
		return cmdutil.UsageError("%q is neither a serverId (%v) nor a URL like https://im.example.com", t, ids.ValidateServerID(t))
	}
	return nil
}

func probeRun(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command, o *Options) error {
	mgmtTarget := o.Target == "" || o.Target == ca.DefaultServerID
	id, err := identity.LoadFor(f, cmd, identity.Needs{Cert: !mgmtTarget, Root: true, Mgmt: true})
	if err != nil {
		return err
	}
	roots, err := identity.ReadRoots(f, id.Settings.Root)
	if err != nil {
		return err
	}
	cfg := probe.Config{Key: id.Key, Cert: id.Cert, ServerID: id.ServerID, Roots: roots, MgmtURL: id.MgmtURL, Timeout: o.Timeout, Now: f.Now}
	if o.Verbose {
		t := sns.NewTracer(o.IO.ErrOut)
		t.Identity(id)
		cfg.Trace = t.Trace
	}
	if cfg.TLSRoots, err = tlsRoots(f, o.TLSCA); err != nil {
		return err
	}
	if o.IMDataDir != "" {
		if cfg.Policy, err = localPolicy(ctx, o.IMDataDir); err != nil {
			return err
		}
	}
	var rep *probe.Report
	if mgmtTarget {
		rep, err = probe.Mgmt(ctx, cfg)
	} else {
		rep, err = probe.Peer(ctx, cfg, o.Target)
	}
	if err != nil {
		return err
	}
	code := exitCode(rep.Outcome())
	if err := print(o, rep, code); err != nil {
		return err
	}
	if code == cmdutil.ExitOK {
		return nil
	}
	first := firstFailure(rep)
	return &cmdutil.ExitError{Code: code, Reason: first.Reason, Err: fmt.Errorf("%s failed: %s", first.ID, first.Next)}
}

// exitCode is the documented exit code of an outcome.
func exitCode(c probe.Class) int {
	switch c {
	case probe.ClassNone:
		return cmdutil.ExitOK
	case probe.ClassAuth:
		return cmdutil.ExitAuth
	case probe.ClassUnavailable:
		return cmdutil.ExitUnavailable
	}
	return cmdutil.ExitFailure
}

func firstFailure(rep *probe.Report) probe.Check {
	for _, c := range rep.Checks {
		if c.Status == probe.StatusFail {
			return c
		}
	}
	return probe.Check{}
}

// tlsRoots is the system's pool plus the certificates of file.
func tlsRoots(f *cmdutil.Factory, file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	data, err := cmdutil.ReadInput(f.IOStreams, file, cmdutil.MaxInputSize)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, cmdutil.UsageError("--tls-ca %s holds no PEM certificate", file)
	}
	return pool, nil
}

// localPolicy reads the white/black lists of the IM server running on dir.
func localPolicy(ctx context.Context, dir string) (*httpsig.Policy, error) {
	c := adminclient.New(imserver.SocketPath(dir))
	defer c.Close()
	p, err := c.Policy(ctx)
	if err != nil {
		return nil, cmdutil.UnavailableError(fmt.Errorf("reading the white/black lists of the IM server of %s: %w; it must be running (imictl serve), or leave --im-data-dir out", dir, err))
	}
	hp := httpsig.NewPolicy()
	hp.SetDenyList(p.Deny)
	if len(p.Allow) > 0 {
		hp.SetAllowList(p.Allow)
	}
	return hp, nil
}

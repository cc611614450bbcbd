// Package conformance implements `imictl conformance TARGET`: the
// black-box suite of internal/conformance against a vendor's IM server,
// as a registered peer. This package parses flags, finds the identity and
// the target, and prints; the cases are internal/conformance's.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/conformance"
	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Options are the inputs of `imictl conformance`.
type Options struct {
	IO     *iostreams.IOStreams
	Format output.Format

	Target        string // a base URL or a serverId
	To            string // the target's serverId, when Target is a URL
	User          string
	Group         string
	Run           *regexp.Regexp
	JUnit         string
	Force         bool
	Dev           bool
	DataDir       string
	InsecureNoCRL bool
	Timeout       time.Duration
	List          bool
}

// NewCmdConformance returns `imictl conformance`.
func NewCmdConformance(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams}
	var run string
	cmd := &cobra.Command{
		Use:   "conformance TARGET",
		Short: "Check that an IM server follows the standard: signed calls to S1-S9, G and M3, one line per case",
		Long: `Run the conformance suite against the IM server TARGET (its base URL, e.g.
http://127.0.0.1:8441, or its serverId, whose address the directory gives).
The suite acts as a registered IM server: it signs its requests with your
identity (--server-id/--key/--cert/--root/--mgmt, as imictl sns does), or
with --dev with a throwaway one that it registers, has approved and cancels
again at the local management server of --data-dir (a running imictl serve).

It drives S1-S9, the group interfaces and M3 over HTTP only, as docs/PROTOCOL.md profiles them:
required fields, the envelopes (code a number under /sns/, a string under
/sns/restApi/), both path forms (/sns/ and /sns/v1/), the content type, the
lenient inputs a server must accept, and the requests every server must
refuse (unsigned, altered body or query, wrong destination, replay, stale
or future created, unknown server, wrong key), each with its status and
reason. Every answer must be signed by the target and bound to the request.

Cases that need a user on the target (messages, friends) are skipped unless
--user names one, and the group cases (G2, G4, G8, G11, G12) unless --group
names a group that takes applications (isVisible 1). The suite sends
messages and a friend request to that user, and joins and leaves that
group: use test data. docs/PROTOCOL.md lists everything it sends.

Exit status 0 when no case failed, 1 when one did.`,
		Example: `  imictl conformance http://127.0.0.1:8441 --dev --user alice@local-im
  imictl conformance beta-im --user 13500001111@beta-im --junit conformance.xml --force
  imictl conformance http://127.0.0.1:8441 --dev --run '^sec\.' -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if err := opts.parse(args, run); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return conformanceRun(cmd, f, opts)
		},
	}
	identity.AddFlags(cmd)
	cmdutil.AddDataDirFlag(cmd, &opts.DataDir)
	fs := cmd.Flags()
	fs.StringVar(&opts.To, "to", "", "the target's serverId `ID` when TARGET is a URL (default: learned from its signed answer)")
	fs.StringVar(&opts.User, "user", "", "a test `USER@SERVERID` of the target, for the cases that message and befriend a user")
	fs.StringVar(&opts.Group, "group", "", "a test group `GROUPID@SERVERID` of the target that takes applications (isVisible 1), for the group cases; the suite joins it and leaves")
	fs.StringVar(&run, "run", "", "run only the cases whose id matches `REGEXP` (e.g. '^sec\\.' or 'S1|S8')")
	fs.StringVar(&opts.JUnit, "junit", "", "also write the results as JUnit XML to `FILE`, for CI")
	fs.BoolVar(&opts.Force, "force", false, "overwrite the --junit file if it exists")
	fs.BoolVar(&opts.Dev, "dev", false, "sign as a throwaway identity registered at the local management server of --data-dir, cancelled afterwards")
	fs.BoolVar(&opts.InsecureNoCRL, "insecure-no-crl", false, "do not check the target's certificate for revocation")
	fs.DurationVar(&opts.Timeout, "timeout", 15*time.Second, "give up on one exchange after `DURATION`")
	fs.BoolVar(&opts.List, "list", false, "list the cases and what each needs, without running them")
	cmd.MarkFlagsMutuallyExclusive("dev", identity.FlagKey)
	cmd.MarkFlagsMutuallyExclusive("dev", identity.FlagCert)
	return cmd
}

// parse checks the arguments and flags that need no file or network.
func (o *Options) parse(args []string, run string) error {
	if len(args) == 1 {
		o.Target = strings.TrimSpace(args[0])
	}
	if o.List {
		return nil
	}
	if o.Target == "" {
		return cmdutil.UsageError("which server? pass TARGET, its base URL (http://host:port) or its serverId")
	}
	if !ids.IsBaseURL(strings.TrimRight(o.Target, "/")) && pki.ValidateServerID(o.Target) != nil {
		return cmdutil.UsageError("TARGET %q: want the server's base URL (http://host:port) or its serverId", o.Target)
	}
	if o.To != "" {
		if err := pki.ValidateServerID(o.To); err != nil {
			return cmdutil.UsageError("--to: %v", err)
		}
	}
	if o.User != "" {
		if _, err := wire.ParseAddress(o.User); err != nil {
			return cmdutil.UsageError("--user %q: %v", o.User, err)
		}
	}
	if o.Group != "" {
		if _, err := wire.ParseAddress(o.Group); err != nil {
			return cmdutil.UsageError("--group %q: %v", o.Group, err)
		}
	}
	if run != "" {
		re, err := regexp.Compile(run)
		if err != nil {
			return cmdutil.UsageError("--run %q: %v", run, err)
		}
		o.Run = re
	}
	if o.Timeout <= 0 {
		return cmdutil.UsageError("--timeout must be positive")
	}
	return nil
}

func conformanceRun(cmd *cobra.Command, f *cmdutil.Factory, o *Options) error {
	if o.List {
		return printCases(o.IO, o.Format, conformance.Cases())
	}
	if o.JUnit != "" && !o.Force {
		if _, err := os.Lstat(o.JUnit); err == nil {
			return fmt.Errorf("--junit %s already exists: pass --force to overwrite it, or name another file", o.JUnit)
		}
	}
	ctx := cmd.Context()
	hc := &http.Client{Timeout: o.Timeout}
	var cfg conformance.Config
	var done func() error
	var err error
	if o.Dev {
		cfg, done, err = devIdentity(ctx, f, cmd, o, hc)
	} else {
		cfg, err = ownIdentity(ctx, f, cmd, o, hc)
	}
	if err != nil {
		return err
	}
	if done != nil {
		defer func() {
			if err := done(); err != nil {
				fmt.Fprintf(o.IO.ErrOut, "imictl: %v\n", err)
			}
		}()
	}
	if cfg.Target, err = o.target(ctx, cfg); err != nil {
		return err
	}
	cfg.User, cfg.Group, cfg.Run, cfg.Timeout = o.User, o.Group, o.Run, o.Timeout
	p := newPrinter(o.IO, o.Format)
	cfg.OnResult = p.result
	rep, err := conformance.Run(ctx, cfg, conformance.Cases())
	var unreachable *client.UnreachableError
	if errors.As(err, &unreachable) {
		return cmdutil.UnavailableError(err)
	}
	if err != nil {
		return err
	}
	if err := p.report(rep); err != nil {
		return err
	}
	if o.JUnit != "" {
		if err := cmdutil.WriteFileFrom(o.JUnit, 0o644, o.Force, func(w io.Writer) error { return conformance.WriteJUnit(w, rep) }); err != nil {
			return err
		}
	}
	if !rep.OK() {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailure, Err: fmt.Errorf("%s: the target does not conform; each failed line says what it answered", rep.Summary())}
	}
	return nil
}

// ownIdentity is the configuration of a suite signing as the identity of
// the identity flags, authenticating answers through the directory.
func ownIdentity(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command, o *Options, hc *http.Client) (conformance.Config, error) {
	id, err := identity.LoadFor(f, cmd, identity.Needs{Cert: true, Root: true, Mgmt: true})
	if err != nil {
		return conformance.Config{}, err
	}
	verify, err := conformance.Directory(ctx, id.MgmtURL, id.Roots, id.Key, id.Cert, hc, o.InsecureNoCRL)
	if err != nil {
		return conformance.Config{}, mgmtutil.Error(err)
	}
	return conformance.Config{Key: id.Key, Cert: id.Cert, Verify: verify}, nil
}

// target is the server under test: TARGET's URL, or the directory's
// address of TARGET's serverId.
func (o *Options) target(ctx context.Context, cfg conformance.Config) (conformance.Target, error) {
	if ids.IsBaseURL(strings.TrimRight(o.Target, "/")) {
		return conformance.Target{ServerID: o.To, BaseURL: o.Target}, nil
	}
	info, err := cfg.Verify.Resolver.Resolve(ctx, o.Target)
	if err != nil {
		return conformance.Target{}, cmdutil.NotFoundError("looking %s up in the directory: %v; check the serverId, or pass its base URL as TARGET", o.Target, err)
	}
	if info.Address == "" {
		return conformance.Target{}, cmdutil.NotFoundError("the directory has no address for %s: pass its base URL as TARGET", o.Target)
	}
	return conformance.Target{ServerID: o.Target, BaseURL: info.Address}, nil
}

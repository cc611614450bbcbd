// Package bench implements `imictl bench`: signed load on one peer, made
// by internal/loadgen, with a report of what the peer sustained.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/commands/sns"
	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/loadgen"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Options are the inputs of `imictl bench`.
type Options struct {
	IO     *iostreams.IOStreams
	Format output.Format
	Peer   sns.PeerFlags
	Target string // as given

	Get          string // a GET path instead of S1
	From, ToUser string // S1's sender and recipient
	Load         loadgen.Options

	Dial func(ctx context.Context) (*sns.Session, error)
}

// NewCmdBench returns `imictl bench`.
func NewCmdBench(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "bench TARGET [--to-user RECIPIENT | --get PATH] [-c N] [--rate N] [-n N] [--duration D]",
		Short: "Load a peer with signed calls and report throughput, latency and errors",
		Long: `Load TARGET, a peer IM server (ours or any vendor's), with signed calls made
as your server, and report what it sustained: calls per second, latency
(p50, p90, p99, max) and failed calls by reason. TARGET is the peer's
serverId (its address comes from the directory) or its base URL: there is
no default target, and nothing is loaded but the one you name (your
management server is asked for its certificate and the CRL, as by
imictl sns).

By default each call is S1 (POST chat): a text message from --from (default
bench@<your serverId>) to --to-user, each with a new message id, so a peer
stores every one of them: run it against a test user. --get PATH makes each
call GET PATH instead (relative to the interface prefix, query included,
e.g. 'users?userID=u%40beta-im').

-c calls are kept in flight, started at --rate per second in all if given;
the run stops after -n calls or --duration, whichever comes first (0
disables one of them, not both). On a terminal a progress line is drawn on
standard error. The exit code is 0 when every call succeeded, 1 when some
failed (the report says why), 4, 6 or 7 when the peer could not be
authenticated, reached or found before the run.`,
		Example: `  imictl bench beta-im --to-user 13500001111@beta-im -c 16 -n 10000
  imictl bench http://127.0.0.1:8441 --to-user bob@beta-im --rate 1000 --duration 60s -n 0 -o json
  imictl bench beta-im --get 'users?userID=13500001111%40beta-im' -c 8 --duration 10s`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.Target = args[0]
			if err := validate(opts); err != nil {
				return err
			}
			opts.Dial = func(ctx context.Context) (*sns.Session, error) { return sns.Dial(ctx, f, cmd, &opts.Peer) }
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Get, "get", "", "call GET `PATH` instead of S1, e.g. 'users?userID=u%40beta-im'")
	fs.StringVar(&opts.From, "from", "", "S1's sender `ID` (default bench@<your serverId>)")
	fs.StringVar(&opts.ToUser, "to-user", "", "S1's recipient `ID`, a user of TARGET: every call leaves a message there")
	fs.IntVarP(&opts.Load.Concurrency, "concurrency", "c", 8, "`N` calls in flight")
	fs.Float64Var(&opts.Load.Rate, "rate", 0, "start `N` calls per second in all (default: as fast as they complete)")
	fs.IntVarP(&opts.Load.Count, "count", "n", 1000, "stop after `N` calls (0: no count limit)")
	fs.DurationVar(&opts.Load.Duration, "duration", time.Minute, "stop after `DURATION` (0: no time limit)")
	sns.AddTrustFlags(cmd, &opts.Peer)
	cmdutil.SetOutputFormats(cmd, output.Table)
	return cmd
}

func validate(opts *Options) error {
	if strings.Contains(opts.Target, "://") {
		if !ids.IsBaseURL(opts.Target) {
			return cmdutil.UsageError("TARGET %q: want a base URL such as http://127.0.0.1:8441 (no user, query or fragment), or a serverId", opts.Target)
		}
		opts.Peer.URL = opts.Target
	} else {
		if err := ids.ValidateServerID(opts.Target); err != nil {
			return cmdutil.UsageError("TARGET %q: want a serverId or a base URL such as http://127.0.0.1:8441: %v", opts.Target, err)
		}
		opts.Peer.To = opts.Target
	}
	l := opts.Load
	switch {
	case l.Concurrency < 1:
		return cmdutil.UsageError("-c/--concurrency must be at least 1")
	case l.Rate < 0:
		return cmdutil.UsageError("--rate must not be negative")
	case l.Count < 0 || l.Duration < 0:
		return cmdutil.UsageError("-n/--count and --duration must not be negative")
	case l.Count == 0 && l.Duration == 0:
		return cmdutil.UsageError("-n 0 and --duration 0 would never stop: give a count or a duration")
	}
	if opts.Get != "" {
		if opts.ToUser != "" || opts.From != "" {
			return cmdutil.UsageError("--get calls GET PATH: --to-user and --from are for S1 only")
		}
		if strings.ContainsAny(opts.Get, " \t\r\n#") {
			return cmdutil.UsageError("--get %q: want a path such as users?userID=u%%40beta-im (percent-encode spaces)", opts.Get)
		}
		return nil
	}
	if opts.ToUser == "" {
		return cmdutil.UsageError("whom do the S1 messages go to? pass --to-user USER@SERVER (a test user of TARGET), or --get PATH to load a GET interface")
	}
	for _, f := range []struct{ flag, id string }{{"--to-user", opts.ToUser}, {"--from", opts.From}} {
		if f.id == "" {
			continue
		}
		if _, err := wire.ParseAddress(f.id); err != nil {
			return cmdutil.UsageError("%s %q: %v", f.flag, f.id, err)
		}
	}
	return nil
}

func run(ctx context.Context, opts *Options) error {
	s, err := opts.Dial(ctx)
	if err != nil {
		return err
	}
	call, endpoint, err := makeCall(s, opts)
	if err != nil {
		return err
	}
	load := opts.Load
	var line *progressLine
	if opts.IO.IsStderrTTY() {
		line = &progressLine{w: opts.IO.ErrOut, count: load.Count}
		load.Progress = line.draw
	}
	rep, err := loadgen.Run(ctx, load, call, reasonOf)
	if line != nil {
		line.clear()
	}
	if err != nil {
		return err
	}
	v := newView(opts.Target, endpoint, load, rep)
	if err := output.Print(opts.IO.Out, opts.Format, v.output()); err != nil {
		return err
	}
	switch {
	case rep.Stopped == loadgen.StoppedCancelled:
		return cmdutil.ErrCancelled
	case rep.Failed > 0:
		return fmt.Errorf("%d of %d calls failed (%s most often): see the errors in the report", rep.Failed, rep.Calls, rep.Errors[0].Reason)
	}
	return nil
}

// makeCall is one call of the run, and the endpoint it loads.
func makeCall(s *sns.Session, opts *Options) (loadgen.Call, string, error) {
	if opts.Get != "" {
		return func(ctx context.Context, _ int) error {
			_, err := s.Client.Call(ctx, s.Peer, http.MethodGet, opts.Get, nil)
			return err
		}, "GET " + opts.Get, nil
	}
	from := opts.From
	if from == "" {
		from = "bench@" + s.ServerID
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, "", err
	}
	runID := hex.EncodeToString(b[:]) // message ids unique across runs
	message := func(n int) wire.ChatRequest {
		return wire.ChatRequest{MessageInfo: wire.MessageInfo{
			SenderID: from, RecvID: opts.ToUser, MessageType: wire.MessageText, Version: wire.Version1, Type: wire.ChatSingle,
			MessageID: fmt.Sprintf("bench-%s-%d@%s", runID, n, s.ServerID), Content: &wire.TextContent{Message: fmt.Sprint("imictl bench message ", n)},
		}}
	}
	first := message(0)
	if err := first.MessageInfo.Validate(); err != nil {
		return nil, "", cmdutil.UsageError("the S1 message would be invalid: %v", err)
	}
	return func(ctx context.Context, n int) error {
		return s.Client.Chat(ctx, s.Peer, message(n))
	}, "S1 POST chat", nil
}

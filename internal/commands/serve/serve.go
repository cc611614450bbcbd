// Package serve implements `imictl serve`: it runs the services of the
// standard in one process until SIGINT or SIGTERM, each from its entry in
// services (start order): the management server, then the reference IM
// server, which on its first start registers with the management server
// (approved at once when that is the one running beside it).
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/ops"
)

// Options are the inputs of `imictl serve`: the shared ones and one set
// per service.
type Options struct {
	IO        *iostreams.IOStreams
	DataDir   string
	LogFormat string
	// OpsAddr is the operations listener (/metrics, /healthz, /readyz);
	// empty for none.
	OpsAddr string
	// Pprof adds Go's profiles (/debug/pprof/) to the operations listener.
	Pprof bool
	// Insecure leaves the keys created on the first start (the CA's, the
	// IM server's) unencrypted.
	Insecure bool
	Mgmt     MgmtOptions
	IM       IMOptions
	Dev      DevOptions
	// Run names the services to run (their flags); empty runs them all.
	Run []string
}

// Service is a started service: its listeners are bound, and Serve runs it
// until ctx ends. Close releases it if Serve is never called.
type Service interface {
	Serve(ctx context.Context) error
	Close() error
}

// Env is what a starting service gets: the command's factory, the data
// directory and the log, and the services started before it (the IM server
// registers with a management server running in the same process).
type Env struct {
	F       *cmdutil.Factory
	DataDir string
	Log     *slog.Logger
	Mgmt    *server.Server // nil unless the management server runs here
	// Ops collects every service's metrics and readiness checks.
	Ops *ops.Registry
}

// spec is one service serve can run. Its name is also its flag: --mgmt runs
// the management server (alone, unless other services are named too).
type spec struct {
	name     string
	usage    string
	addFlags func(cmd *cobra.Command, o *Options)
	// preflight, when set, checks what it can before any service starts,
	// so that a missing flag is reported before anything is created.
	preflight func(o *Options, env *Env) error
	start     func(ctx context.Context, o *Options, env *Env) (Service, error)
}

// services are the services of imictl, in start order.
var services = []spec{
	{name: "mgmt", usage: "run the management server (registry, review, CA, directory, notifications)", addFlags: addMgmtFlags, start: startMgmt},
	{name: "im", usage: "run the reference IM server (the /sns interfaces over its own users; imictl im operates it)", addFlags: addIMFlags, preflight: preflightIM, start: startIM},
}

// NewCmdServe returns `imictl serve`. runF replaces the run step in tests.
func NewCmdServe(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams}
	run := make([]bool, len(services))
	cmd := &cobra.Command{
		Use:   "serve [--mgmt] [--im] [--mgmt-addr HOST:PORT] [--im-addr HOST:PORT] [--config FILE] [--data-dir DIR]",
		Short: "Run the management server and the reference IM server",
		Long: `Run the services of the interconnection in this process until interrupted
(Ctrl-C, SIGTERM), then stop them gracefully. With no service flag both run:
the management server and, beside it, a reference IM server; --mgmt or --im
runs one alone. Data lives in --data-dir (default $IMICTL_DATA_DIR, else
./imictl-data): mgmt/ for the management server, im/ for the IM server,
each with its admin socket there.

The management server listens on 127.0.0.1:8440 (loopback, plain HTTP: every
call is authenticated end to end by signatures) unless --mgmt-addr says
otherwise. Its first start creates the CA, whose keys are encrypted with a
password from --ca-password-file, $IMICTL_PASSWORD_FILE or the prompt. It
logs where it listens and the root's SHA-256 fingerprint, which IM server
administrators pin with "imictl dir bootstrap" or "serve --mgmt-fingerprint".

The IM server listens on 127.0.0.1:8441 unless --im-addr (or the
configuration, --config, default <data-dir>/im/config.json) says otherwise.
"imictl im" operates it as its users. Its first start creates its key
(encrypted with --im-password-file, $IMICTL_PASSWORD_FILE or the prompt) and
registers it:
  - beside the management server of the same command, as --server-id
    (default local-im), approved at once and saying so in the log: this is
    the only registration ever approved without an administrator;
  - with a management server elsewhere (--im --mgmt-url URL --server-id ID,
    its root from --root FILE or --mgmt-fingerprint FP), it logs the request
    id and waits, polling, until an administrator approves it ("imictl admin
    approve"), then starts serving; stopped meanwhile, it goes on waiting
    for the same application at the next start.
Either way its settings (serverId, addresses, a management server elsewhere)
are kept in <data-dir>/im/config.json, so later starts need no flags.

The management server keeps its registry in <data-dir>/mgmt/mgmt.db (bbolt)
unless --store etcd: then the registry and the CA (its keys only encrypted)
live in the etcd cluster at --etcd-endpoints, under --etcd-prefix, and every
server started so is a replica of one management server (README: "Running
the management server highly available"). TLS to etcd: https endpoints,
--etcd-ca, --etcd-cert/--etcd-key; etcd auth: --etcd-user with
--etcd-password-file. The same settings can live in --mgmt-config FILE
(default <data-dir>/mgmt/config.json), flags winning:
  {"store": "etcd", "etcd": {"endpoints": ["https://10.0.0.1:2379"],
   "prefix": "/imictl/mgmt/", "caFile": "", "certFile": "", "keyFile": "",
   "username": "", "passwordFile": ""}}

--admin-addr HOST:PORT (or "adminAddr" in --mgmt-config) also serves the
admin API over TCP, to administrators who sign every call with an
administrator certificate (imictl ca sign --admin NAME) and check every
answer; nothing listens there by default, and ":PORT" binds loopback
(docs/OPERATIONS.md, "Remote administration").

--dev runs a whole local federation instead, for trying things out and for
CI: the management server and --dev-servers IM servers (dev-1, dev-2, ...),
each in its own directory under --data-dir (default ./imictl-dev), registered
and approved, each with a demo user (alice, bob, ...); it prints the URLs and
the commands to try. Its keys are unencrypted.

--insecure creates every key unencrypted, for tests and demonstrations only.`,
		Example: `  imictl serve --insecure                       # both services, a throw-away local setup
  imictl serve --dev                            # a local federation: management server and 2 IM servers
  imictl serve --im --data-dir ./second --im-addr 127.0.0.1:8442 \
      --mgmt-url http://127.0.0.1:8440 --root root.crt --server-id second --insecure
  imictl serve --mgmt --data-dir /var/lib/imictl --ca-password-file /etc/imictl/ca-password \
      --mgmt-addr 0.0.0.0:8440 --mgmt-public-url https://mgmt.example.com
  imictl serve --mgmt --store etcd --etcd-endpoints https://10.0.0.1:2379,https://10.0.0.2:2379 \
      --etcd-ca etcd-ca.crt --ca-password-file /etc/imictl/ca-password --mgmt-addr 0.0.0.0:8440`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for i, s := range services {
				if run[i] {
					opts.Run = append(opts.Run, s.name)
				}
			}
			if opts.LogFormat != "text" && opts.LogFormat != "json" {
				return cmdutil.UsageError("invalid --log-format %q: want text or json", opts.LogFormat)
			}
			if err := opts.Mgmt.check(cmd); err != nil {
				return err
			}
			if err := opts.IM.check(cmd); err != nil {
				return err
			}
			if err := opts.Dev.check(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Dev.On {
				return devRun(cmd.Context(), opts)
			}
			return serveRun(cmd.Context(), f, opts)
		},
	}
	for i, s := range services {
		cmd.Flags().BoolVar(&run[i], s.name, false, s.usage)
	}
	cmdutil.AddDataDirFlag(cmd, &opts.DataDir)
	cmd.Flags().StringVar(&opts.LogFormat, "log-format", "text", "log as `FORMAT` text or json, on standard error")
	cmd.Flags().StringVar(&opts.OpsAddr, "ops-addr", "", "serve /metrics (Prometheus), /healthz and /readyz on `HOST:PORT` (\":PORT\" binds loopback); none by default")
	cmd.Flags().BoolVar(&opts.Pprof, "pprof", false, "also serve Go's profiles (/debug/pprof/: heap, CPU, goroutines) on the --ops-addr listener")
	cmd.Flags().BoolVar(&opts.Insecure, "insecure", false, "on first start, create the keys (the CA's, the IM server's) unencrypted: tests and demonstrations only")
	for _, s := range services {
		s.addFlags(cmd, opts)
	}
	addDevFlags(cmd, opts)
	return cmd
}

// runs reports whether the service called name runs.
func (o *Options) runs(name string) bool {
	return len(o.Run) == 0 || slices.Contains(o.Run, name)
}

// selected are the services to run, in start order.
func (o *Options) selected() []spec {
	if len(o.Run) == 0 {
		return services
	}
	var out []spec
	for _, s := range services {
		for _, name := range o.Run {
			if s.name == name {
				out = append(out, s)
			}
		}
	}
	return out
}

func serveRun(ctx context.Context, f *cmdutil.Factory, o *Options) error {
	env := &Env{F: f, DataDir: cmdutil.DataDir(f, o.DataDir), Log: newLogger(o), Ops: ops.NewRegistry()}
	var opsLn net.Listener
	if o.Pprof && o.OpsAddr == "" {
		return cmdutil.UsageError("--pprof serves the profiles on the operations listener: add --ops-addr, e.g. --ops-addr :9440")
	}
	if o.Pprof {
		env.Ops.EnableProfiling()
	}
	if o.OpsAddr != "" {
		var err error
		if opsLn, err = ops.Listen(o.OpsAddr); err != nil {
			return err
		}
		defer opsLn.Close()
	}
	var started []Service
	closeAll := func() {
		for _, s := range started {
			_ = s.Close()
		}
	}
	for _, s := range o.selected() {
		if s.preflight != nil {
			if err := s.preflight(o, env); err != nil {
				return err
			}
		}
	}
	var names []string
	for _, s := range o.selected() {
		svc, err := s.start(ctx, o, env)
		if err != nil {
			closeAll()
			return err
		}
		started = append(started, svc)
		names = append(names, s.name)
	}
	env.Log.Info("serving; stop with Ctrl-C or SIGTERM", "services", strings.Join(names, ","), "dataDir", env.DataDir)

	// One failing service stops the others.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	if opsLn != nil {
		wg.Go(func() {
			if err := env.Ops.Serve(runCtx, opsLn, env.Log); err != nil {
				env.Log.Error("the operations listener stopped", "err", err)
			}
		})
	}
	errs := make([]error, len(started))
	for i, s := range started {
		wg.Go(func() {
			if errs[i] = s.Serve(runCtx); errs[i] != nil {
				errs[i] = fmt.Errorf("%s: %w", names[i], errs[i])
				stop()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func newLogger(o *Options) *slog.Logger {
	if o.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(o.IO.ErrOut, nil))
	}
	return slog.New(slog.NewTextHandler(o.IO.ErrOut, nil))
}

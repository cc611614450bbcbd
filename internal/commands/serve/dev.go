package serve

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/devfed"
)

// DevOptions are the flags of `imictl serve --dev`.
type DevOptions struct {
	On      bool // --dev
	Servers int  // --dev-servers
}

// devDataDir is where --dev keeps its data unless --data-dir says.
const devDataDir = "imictl-dev"

func addDevFlags(cmd *cobra.Command, o *Options) {
	fl := cmd.Flags()
	fl.BoolVar(&o.Dev.On, "dev", false, "run a local federation for trying out: a management server and --dev-servers IM servers, registered, each with a demo user (unencrypted keys, data in --data-dir, default ./"+devDataDir+")")
	fl.IntVar(&o.Dev.Servers, "dev-servers", devfed.DefaultServers, "with --dev: how many IM servers to run (`N`)")
	for _, other := range []string{"mgmt", "im", "mgmt-url", "config", "server-id", "root", "mgmt-fingerprint", caPasswordFlag, imPasswordFlag, "mgmt-tls-cert", "im-public-url", "mgmt-public-url", "ops-addr", "admin-addr"} {
		cmd.MarkFlagsMutuallyExclusive("dev", other)
	}
}

func (d *DevOptions) check(cmd *cobra.Command) error {
	if cmd.Flags().Changed("dev-servers") && !d.On {
		return cmdutil.UsageError("--dev-servers goes with --dev")
	}
	if d.Servers < 1 || d.Servers > devfed.MaxServers {
		return cmdutil.UsageError("--dev-servers %d: want 1 to %d", d.Servers, devfed.MaxServers)
	}
	return nil
}

// devRun starts the local federation, says how to use it, and runs it
// until interrupted.
func devRun(ctx context.Context, o *Options) error {
	dir := o.DataDir
	if dir == "" {
		dir = devDataDir
	}
	fed, err := devfed.Start(ctx, devfed.Options{DataDir: dir, Servers: o.Dev.Servers, MgmtAddr: o.Mgmt.Addr, IMAddr: o.IM.Addr, Logger: newLogger(o)})
	if err != nil {
		return mgmtutil.Error(err)
	}
	printDev(o.IO.Out, fed)
	return fed.Wait(ctx)
}

// printDev says where everything is and what to try.
func printDev(w io.Writer, f *devfed.Federation) {
	fmt.Fprintf(w, "Local federation running in %s (stop with Ctrl-C); its keys are unencrypted, for trying out only.\n\n", f.DataDir)
	fmt.Fprintf(w, "  management server  %-10s %s  root SHA-256 %s\n", f.MgmtID, f.MgmtURL, f.RootSHA256)
	for _, m := range f.Members {
		fmt.Fprintf(w, "  IM server          %-10s %s  user %-6s --data-dir %s\n", m.ServerID, m.URL, m.User, m.DataDir)
	}
	first := f.Members[0]
	fmt.Fprintf(w, "\nTry, in another terminal:\n\n")
	if len(f.Members) > 1 {
		second := f.Members[1]
		fmt.Fprintf(w, "  imictl im send --from %s --to %s@%s --text \"Hello from %s\" --data-dir %s\n", first.User, second.User, second.ServerID, first.ServerID, first.DataDir)
		fmt.Fprintf(w, "  imictl im inbox %s --wait --data-dir %s\n", second.User, second.DataDir)
	}
	fmt.Fprintf(w, "\n  # sign as %s for probe, sns and conformance:\n", first.ServerID)
	fmt.Fprintf(w, "  export %s=%s %s=%s %s=%s %s=%s\n", identity.EnvMgmt, f.MgmtURL, identity.EnvKey, first.Key, identity.EnvCert, first.Cert, identity.EnvRoot, first.Root)
	peer := first
	if len(f.Members) > 1 {
		peer = f.Members[1]
	}
	fmt.Fprintf(w, "  imictl probe %s\n", peer.ServerID)
	fmt.Fprintf(w, "  imictl probe                # the management server\n")
	fmt.Fprintf(w, "  imictl conformance %s\n", peer.URL)
}

package sns

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Options are what every sns command has: its streams, the output format,
// the peer flags, and Connect, which loads the identity and finds the peer
// (the server of the given user or file id unless --to/--url).
type Options struct {
	IO      *iostreams.IOStreams
	Format  output.Format
	Peer    PeerFlags
	Connect func(ctx context.Context, aboutID string) (*session, error)
}

// newOptions fills Options for cmd once its flags are parsed.
func newOptions(f *cmdutil.Factory) Options {
	return Options{IO: f.IOStreams}
}

// prepare runs in RunE: it reads the format, checks the peer flags and
// binds Connect to cmd's identity flags.
func (o *Options) prepare(f *cmdutil.Factory, cmd *cobra.Command) error {
	o.Format = cmdutil.OutputFormat(cmd)
	if err := o.Peer.validate(); err != nil {
		return err
	}
	o.Connect = func(ctx context.Context, aboutID string) (*session, error) {
		return connect(ctx, f, cmd, &o.Peer, aboutID)
	}
	return nil
}

// prepareFor is prepare for a command whose argument what is the id id (a
// user, file or group id), which it checks.
func (o *Options) prepareFor(f *cmdutil.Factory, cmd *cobra.Command, what, id string) error {
	if err := o.prepare(f, cmd); err != nil {
		return err
	}
	return checkID(what, id)
}

// checkID is a usage error for a malformed user or file id argument.
func checkID(what, id string) error {
	if _, err := wire.ParseAddress(id); err != nil {
		return cmdutil.UsageError("%s %q: %v", what, id, err)
	}
	return nil
}

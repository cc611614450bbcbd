// Package im implements `imictl im`: operating a running reference IM server
// (internal/sns/imserver) as its local users, through its local admin API,
// the unix socket <data>/im/admin.sock (0600). Users, messages and files,
// friends, groups, the outbox of calls to other servers, the white/black
// lists and the directory copy. The server does the work; this package
// parses flags and prints.
package im

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// Options are what every im command has: its streams, the output format,
// the data directory whose server it operates, and Client, which connects
// to that server's admin socket (nothing is opened until a command runs).
type Options struct {
	IO      *iostreams.IOStreams
	Format  output.Format
	DataDir string // the --data-dir flag as given
	// Client returns the admin API client of the data directory's server;
	// the caller closes it.
	Client func() *adminclient.Client

	dataDir, socket string // resolved by prepare, for messages
}

// newOptions returns Options for a command of f; addFlags adds --data-dir.
func newOptions(f *cmdutil.Factory) Options {
	return Options{IO: f.IOStreams}
}

func (o *Options) addFlags(cmd *cobra.Command) {
	cmdutil.AddDataDirFlag(cmd, &o.DataDir)
}

// prepare runs in RunE once flags are parsed: it reads the format and binds
// Client to the data directory.
func (o *Options) prepare(f *cmdutil.Factory, cmd *cobra.Command) {
	o.Format = cmdutil.OutputFormat(cmd)
	o.dataDir = cmdutil.DataDir(f, o.DataDir)
	o.socket = imserver.SocketPath(o.dataDir)
	o.Client = func() *adminclient.Client { return adminclient.New(o.socket) }
}

// NewCmdIM returns the `imictl im` group.
func NewCmdIM(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("im", "Operate the reference IM server as its local users")
	cmd.Long = `Operate a running reference IM server ("imictl serve") as its local users:
add users, send messages and files to users of any registered server, read
inboxes, manage friends and groups, watch and retry the calls queued for
other servers, set the white and black lists, and refresh the copy of the
directory.

The commands talk to the server through its admin socket,
<data-dir>/im/admin.sock, which only the server's user can open. The server
must be running: when it is not, the commands fail with exit code 6.

Local users are named by their bare id (alice); users of other servers by
user@serverId or user@host:port.`
	cmd.AddCommand(
		NewCmdStatus(f, nil),
		newCmdUser(f),
		NewCmdSend(f, nil),
		NewCmdInbox(f, nil),
		NewCmdSent(f, nil),
		NewCmdRepeal(f, nil),
		newCmdFile(f),
		newCmdFriend(f),
		newCmdGroup(f),
		NewCmdOutbox(f, nil),
		newCmdPolicy(f),
		newCmdDir(f),
	)
	return cmd
}

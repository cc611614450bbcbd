package sns

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/client"
)

// Session is an authenticated way to one peer, for commands outside this
// group that call peers (imictl bench).
type Session struct {
	Client   *client.Client
	Peer     client.Peer
	ServerID string // the caller's own serverId, which signs
}

// Dial checks pf, loads cmd's identity and finds the peer pf names, as the
// sns commands do; its errors carry their exit codes.
func Dial(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command, pf *PeerFlags) (*Session, error) {
	if err := pf.validate(); err != nil {
		return nil, err
	}
	s, err := connect(ctx, f, cmd, pf, "")
	if err != nil {
		return nil, mapError(err)
	}
	return &Session{Client: s.client, Peer: s.peer, ServerID: s.id.ServerID}, nil
}

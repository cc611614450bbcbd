package sns

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
)

// UserOptions are the inputs of `imictl sns user`.
type UserOptions struct {
	Options
	UserID string
}

// NewCmdUser returns `imictl sns user` (S8).
func NewCmdUser(f *cmdutil.Factory, runF func(*UserOptions) error) *cobra.Command {
	opts := &UserOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:     "user USERID",
		Short:   "Get a user's record from its server (S8, GET /sns/users)",
		Example: `  imictl sns user 13500001111@beta-im`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.UserID = args[0]
			if err := opts.prepareFor(f, cmd, "USERID", opts.UserID); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return userRun(cmd, opts)
		},
	}
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func userRun(cmd *cobra.Command, opts *UserOptions) error {
	s, err := opts.Connect(cmd.Context(), opts.UserID)
	if err != nil {
		return err
	}
	var raw *client.RawResponse
	u, err := s.client.User(cmd.Context(), s.peer, opts.UserID, client.Raw(&raw))
	return report(opts.IO, opts.Format, raw, err, func() output.View {
		return output.View{Details: append([]output.Field{{Key: "Peer", Value: raw.Peer}}, userDetails(u)...)}
	})
}

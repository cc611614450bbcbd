package sns

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// VerifyUserOptions are the inputs of `imictl sns verify-user`.
type VerifyUserOptions struct {
	Options
	UserID string
}

// NewCmdVerifyUser returns `imictl sns verify-user` (S4).
func NewCmdVerifyUser(f *cmdutil.Factory, runF func(*VerifyUserOptions) error) *cobra.Command {
	opts := &VerifyUserOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:     "verify-user USERID",
		Short:   "Ask whether a user may be added as a friend (S4, GET /sns/verify/users)",
		Example: `  imictl sns verify-user 13500001111@beta-im -o json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.UserID = args[0]
			if err := opts.prepareFor(f, cmd, "USERID", opts.UserID); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return verifyUserRun(cmd, opts)
		},
	}
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func verifyUserRun(cmd *cobra.Command, opts *VerifyUserOptions) error {
	s, err := opts.Connect(cmd.Context(), opts.UserID)
	if err != nil {
		return err
	}
	var raw *client.RawResponse
	v, err := s.client.VerifyUser(cmd.Context(), s.peer, opts.UserID, client.Raw(&raw))
	return report(opts.IO, opts.Format, raw, err, func() output.View {
		meaning := "unknown (" + strconv.Itoa(v) + ")"
		switch v {
		case wire.VerifyAnyone:
			meaning = "may be added (2)"
		case wire.VerifyNobody:
			meaning = "nobody may add (1)"
		}
		return output.View{Details: []output.Field{{Key: "Peer", Value: raw.Peer}, {Key: "User ID", Value: opts.UserID}, {Key: "Verify type", Value: meaning}}}
	})
}

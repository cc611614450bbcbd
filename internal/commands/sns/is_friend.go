package sns

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
)

// IsFriendOptions are the inputs of `imictl sns is-friend`.
type IsFriendOptions struct {
	Options
	UserID  string
	OwnerID string
}

// NewCmdIsFriend returns `imictl sns is-friend` (S9).
func NewCmdIsFriend(f *cmdutil.Factory, runF func(*IsFriendOptions) error) *cobra.Command {
	opts := &IsFriendOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:     "is-friend USERID --owner OWNERID",
		Short:   "Ask USERID's server whether USERID is OWNERID's friend (S9, GET /sns/query/users)",
		Example: `  imictl sns is-friend 13500001111@beta-im --owner 13600002222@alpha-im`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.UserID = args[0]
			if err := opts.prepareFor(f, cmd, "USERID", opts.UserID); err != nil {
				return err
			}
			if err := checkID("--owner", opts.OwnerID); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return isFriendRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.OwnerID, "owner", "", "the user `ID` whose friend list is asked about")
	_ = cmd.MarkFlagRequired("owner")
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func isFriendRun(cmd *cobra.Command, opts *IsFriendOptions) error {
	s, err := opts.Connect(cmd.Context(), opts.UserID)
	if err != nil {
		return err
	}
	var raw *client.RawResponse
	v, err := s.client.IsFriend(cmd.Context(), s.peer, opts.UserID, opts.OwnerID, client.Raw(&raw))
	return report(opts.IO, opts.Format, raw, err, func() output.View {
		return output.View{Details: []output.Field{{Key: "Peer", Value: raw.Peer}, {Key: "User ID", Value: opts.UserID},
			{Key: "Owner ID", Value: opts.OwnerID}, {Key: "Is friend", Value: yesNo(v)}}}
	})
}

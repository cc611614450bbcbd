package sns

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
)

// GroupInfoOptions are the inputs of `imictl sns group-info`.
type GroupInfoOptions struct {
	Options
	GroupID, UserID string
}

// NewCmdGroupInfo returns `imictl sns group-info` (G11).
func NewCmdGroupInfo(f *cmdutil.Factory, runF func(*GroupInfoOptions) error) *cobra.Command {
	opts := &GroupInfoOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "group-info GROUPID --user USERID",
		Short: "Get a group's record and settings from its main server (G11, GET /sns/grpinfo)",
		Long: `Ask the group's main server for the group's record (groupInfo) and its
settings (gset), as USERID, a member of the group on your server. The main
server answers only a server that has a member in the group.`,
		Example: `  imictl sns group-info g1@beta-im --user 13600002222@alpha-im`,
		Args:    cobra.ExactArgs(1),
		RunE:    requesterRunE(f, &opts.Options, &opts.GroupID, &opts.UserID, opts, runF, groupInfoRun),
	}
	addRequesterFlag(cmd, &opts.UserID)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

// addRequesterFlag adds --user, the userID of G11 and G12.
func addRequesterFlag(cmd *cobra.Command, user *string) {
	cmd.Flags().StringVar(user, "user", "", "the requesting user `ID` (a member of the group on your server)")
	_ = cmd.MarkFlagRequired("user")
}

// requesterRunE is the RunE of G11 and G12: it checks GROUPID (the one
// argument) and --user, then runs runF (tests) or run.
func requesterRunE[T any](f *cmdutil.Factory, o *Options, groupID, userID *string, opts T, runF func(T) error, run func(*cobra.Command, T) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		*groupID = args[0]
		if err := o.prepareFor(f, cmd, "GROUPID", *groupID); err != nil {
			return err
		}
		if err := checkID("--user", *userID); err != nil {
			return err
		}
		if runF != nil {
			return runF(opts)
		}
		return run(cmd, opts)
	}
}

func groupInfoRun(cmd *cobra.Command, opts *GroupInfoOptions) error {
	s, err := opts.Connect(cmd.Context(), opts.GroupID)
	if err != nil {
		return err
	}
	var raw *client.RawResponse
	r, err := s.client.GroupInfo(cmd.Context(), s.peer, opts.GroupID, opts.UserID, client.Raw(&raw))
	return report(opts.IO, opts.Format, raw, err, func() output.View {
		f := append([]output.Field{{Key: "Peer", Value: raw.Peer}}, groupDetails(r.GroupInfo)...)
		return output.View{Details: append(f, settingsDetails(r.GSet)...)}
	})
}

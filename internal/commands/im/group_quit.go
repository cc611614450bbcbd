package im

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// GroupQuitOptions are the inputs of `imictl im group quit`.
type GroupQuitOptions struct {
	Options
	GroupRef
}

// NewCmdGroupQuit returns `imictl im group quit`.
func NewCmdGroupQuit(f *cmdutil.Factory, runF func(*GroupQuitOptions) error) *cobra.Command {
	opts := &GroupQuitOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "quit GROUP --user USER",
		Short: "Leave a group, as a local member who is not its owner",
		Long: `Make the local member USER leave GROUP; the owner cannot (it transfers the
group or dissolves it). The main server tells every server with members
(G10, operType 2); for another server's group, this server tells it (G4).`,
		Example: `  imictl im group quit "Release team" --user bob --data-dir ./second`,
		Args:    cobra.ExactArgs(1),
		RunE:    groupRunE(f, &opts.Options, &opts.GroupRef, opts, runF, groupQuitRun),
	}
	addUserFlag(cmd, &opts.User, "the local member `USER` who leaves")
	opts.addFlags(cmd)
	return cmd
}

func groupQuitRun(cmd *cobra.Command, opts *GroupQuitOptions) error {
	return runGroupOp(cmd, &opts.Options, &opts.GroupRef, false, func(ctx context.Context, c *adminclient.Client, id string) (adminapi.GroupResult, error) {
		return c.QuitGroup(ctx, opts.User, id)
	})
}

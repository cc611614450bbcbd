package im

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// GroupShowOptions are the inputs of `imictl im group show`.
type GroupShowOptions struct {
	Options
	GroupRef
}

// NewCmdGroupShow returns `imictl im group show`.
func NewCmdGroupShow(f *cmdutil.Factory, runF func(*GroupShowOptions) error) *cobra.Command {
	opts := &GroupShowOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "show GROUP --user USER",
		Short: "Show a group's record and settings, as a local member",
		Long: `Show GROUP's record (name, icon, members, creator) and settings as its main
server has them, asked as the local member USER: for another server's group,
this server asks it (G11).`,
		Example: `  imictl im group show "Release team" --user alice
  imictl im group show 3f2a9c1e07b4d685@local-im --user bob --data-dir ./second -o json`,
		Args: cobra.ExactArgs(1),
		RunE: groupRunE(f, &opts.Options, &opts.GroupRef, opts, runF, groupShowRun),
	}
	addUserFlag(cmd, &opts.User, "the local member `USER` who asks")
	opts.addFlags(cmd)
	return cmd
}

func groupShowRun(cmd *cobra.Command, opts *GroupShowOptions) error {
	return showGroup(cmd, &opts.Options, &opts.GroupRef, func(ctx context.Context, c *adminclient.Client, id string) (adminapi.GroupView, error) {
		return c.GroupShow(ctx, opts.User, id)
	})
}

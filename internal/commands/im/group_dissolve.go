package im

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// GroupDissolveOptions are the inputs of `imictl im group dissolve`.
type GroupDissolveOptions struct {
	Options
	GroupRef
	Yes bool
}

// NewCmdGroupDissolve returns `imictl im group dissolve`.
func NewCmdGroupDissolve(f *cmdutil.Factory, runF func(*GroupDissolveOptions) error) *cobra.Command {
	opts := &GroupDissolveOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "dissolve GROUP --user OWNER [--yes]",
		Short: "Dissolve a group, as its owner",
		Long: `Dissolve GROUP as its owner, a local user of this server, the group's main
server: every server with members is told (G10, operType 3) and the group
takes no more messages. It cannot be undone: without a terminal to ask,
pass --yes.`,
		Example: `  imictl im group dissolve "Release team" --user alice --yes`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group = args[0]
			opts.prepare(f, cmd)
			if err := opts.GroupRef.validate("--user"); err != nil {
				return err
			}
			if err := cmdutil.ConfirmDestructive(f, opts.Yes, "Dissolve group "+opts.Group+" for every member?"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return groupDissolveRun(cmd, opts)
		},
	}
	addUserFlag(cmd, &opts.User, "the group's `OWNER`, a local user")
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	opts.addFlags(cmd)
	return cmd
}

func groupDissolveRun(cmd *cobra.Command, opts *GroupDissolveOptions) error {
	return runGroupOp(cmd, &opts.Options, &opts.GroupRef, false, func(ctx context.Context, c *adminclient.Client, id string) (adminapi.GroupResult, error) {
		return c.DissolveGroup(ctx, opts.User, id)
	})
}

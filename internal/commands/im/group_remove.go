package im

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// GroupRemoveOptions are the inputs of `imictl im group remove`.
type GroupRemoveOptions struct {
	Options
	GroupRef
	Members []string
}

// NewCmdGroupRemove returns `imictl im group remove`.
func NewCmdGroupRemove(f *cmdutil.Factory, runF func(*GroupRemoveOptions) error) *cobra.Command {
	opts := &GroupRemoveOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "remove GROUP MEMBER... --user OWNER",
		Short: "Remove members from a group, as its owner",
		Long: `Remove the MEMBERs (user@serverId, user@host:port or local users) from GROUP,
as its owner, a local user of the group's main server (only the owner may).
Every server with members is told (G10, operType 2).`,
		Example: `  imictl im group remove "Release team" carol@third --user alice`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group, opts.Members = args[0], args[1:]
			opts.prepare(f, cmd)
			if err := opts.GroupRef.validate("--user"); err != nil {
				return err
			}
			for _, m := range opts.Members {
				if err := checkRecipient("MEMBER", m); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return groupRemoveRun(cmd, opts)
		},
	}
	addUserFlag(cmd, &opts.User, "the group's `OWNER`, a local user")
	opts.addFlags(cmd)
	return cmd
}

func groupRemoveRun(cmd *cobra.Command, opts *GroupRemoveOptions) error {
	return runGroupOp(cmd, &opts.Options, &opts.GroupRef, false, func(ctx context.Context, c *adminclient.Client, id string) (adminapi.GroupResult, error) {
		return c.RemoveGroupMembers(ctx, opts.User, id, opts.Members)
	})
}

package im

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// GroupTransferOptions are the inputs of `imictl im group transfer`.
type GroupTransferOptions struct {
	Options
	GroupRef
	To string
}

// NewCmdGroupTransfer returns `imictl im group transfer`.
func NewCmdGroupTransfer(f *cmdutil.Factory, runF func(*GroupTransferOptions) error) *cobra.Command {
	opts := &GroupTransferOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "transfer GROUP MEMBER --user OWNER",
		Short: "Hand a group's ownership to another member of its main server",
		Long: `Make MEMBER the owner of GROUP, as its owner, who becomes a plain member.
MEMBER must be a member on the group's main server (this one): the standard
does not let a group move to another server. Every server with members is
told (G10, operType 6).`,
		Example: `  imictl im group transfer "Release team" dave --user alice`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group, opts.To = args[0], args[1]
			opts.prepare(f, cmd)
			if err := opts.GroupRef.validate("--user"); err != nil {
				return err
			}
			if err := checkRecipient("MEMBER", opts.To); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return groupTransferRun(cmd, opts)
		},
	}
	addUserFlag(cmd, &opts.User, "the group's `OWNER`, a local user")
	opts.addFlags(cmd)
	return cmd
}

func groupTransferRun(cmd *cobra.Command, opts *GroupTransferOptions) error {
	return runGroupOp(cmd, &opts.Options, &opts.GroupRef, false, func(ctx context.Context, c *adminclient.Client, id string) (adminapi.GroupResult, error) {
		return c.TransferGroup(ctx, opts.User, id, opts.To)
	})
}

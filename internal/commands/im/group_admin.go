package im

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// GroupAdminOptions are the inputs of `imictl im group admin`.
type GroupAdminOptions struct {
	Options
	GroupRef
	Member string
	Unset  bool
}

// NewCmdGroupAdmin returns `imictl im group admin`.
func NewCmdGroupAdmin(f *cmdutil.Factory, runF func(*GroupAdminOptions) error) *cobra.Command {
	opts := &GroupAdminOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "admin GROUP MEMBER --user OWNER [--unset]",
		Short: "Make a member an admin of a group, or a plain member again",
		Long: `Make MEMBER an admin of GROUP (with --unset, a plain member again), as the
group's owner, a local user of its main server. Admins change the group's
name, icon and settings and may invite; the standard has them be members on
the main server. Every server with members is told (G10, operType 4 or 5).`,
		Example: `  imictl im group admin "Release team" dave --user alice
  imictl im group admin "Release team" dave --user alice --unset`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group, opts.Member = args[0], args[1]
			opts.prepare(f, cmd)
			if err := opts.GroupRef.validate("--user"); err != nil {
				return err
			}
			if err := checkRecipient("MEMBER", opts.Member); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return groupAdminRun(cmd, opts)
		},
	}
	addUserFlag(cmd, &opts.User, "the group's `OWNER`, a local user")
	cmd.Flags().BoolVar(&opts.Unset, "unset", false, "make MEMBER a plain member again")
	opts.addFlags(cmd)
	return cmd
}

func groupAdminRun(cmd *cobra.Command, opts *GroupAdminOptions) error {
	return runGroupOp(cmd, &opts.Options, &opts.GroupRef, false, func(ctx context.Context, c *adminclient.Client, id string) (adminapi.GroupResult, error) {
		return c.SetGroupAdmin(ctx, opts.User, id, opts.Member, !opts.Unset)
	})
}

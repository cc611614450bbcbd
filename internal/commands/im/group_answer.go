package im

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// GroupAnswerOptions are the inputs of `imictl im group accept` and
// `imictl im group refuse`.
type GroupAnswerOptions struct {
	Options
	GroupRef
	Agree bool
}

// NewCmdGroupAnswer returns `imictl im group accept` (agree) or `imictl im
// group refuse`.
func NewCmdGroupAnswer(f *cmdutil.Factory, agree bool, runF func(*GroupAnswerOptions) error) *cobra.Command {
	opts := &GroupAnswerOptions{Options: newOptions(f), Agree: agree}
	use, short, long := "refuse", "Refuse an invitation into a group",
		`Refuse the local user USER's invitation into GROUP: the group's main server
is told (G2) and USER does not join.`
	example := `  imictl im group refuse "Release team" --user carol --data-dir ./third`
	if agree {
		use, short, long = "accept", "Accept an invitation into a group, or ask to join a searchable one",
			`Accept the local user USER's invitation into GROUP: the group's main server
is told (G2), adds USER and tells every server with members. Without an
invitation, GROUP must be an id: the main server then takes it as a request
to join, which only a searchable group (--visible yes) accepts.`
		example = `  imictl im group accept "Release team" --user bob --data-dir ./second`
	}
	cmd := &cobra.Command{
		Use:     use + " GROUP --user USER",
		Short:   short,
		Long:    long,
		Example: example,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group = args[0]
			opts.prepare(f, cmd)
			if err := opts.GroupRef.validate("--user"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return groupAnswerRun(cmd, opts)
		},
	}
	addUserFlag(cmd, &opts.User, "the local `USER` who was invited")
	opts.addFlags(cmd)
	return cmd
}

func groupAnswerRun(cmd *cobra.Command, opts *GroupAnswerOptions) error {
	return runGroupOp(cmd, &opts.Options, &opts.GroupRef, true, func(ctx context.Context, c *adminclient.Client, id string) (adminapi.GroupResult, error) {
		return c.AnswerGroupInvite(ctx, opts.User, id, opts.Agree)
	})
}

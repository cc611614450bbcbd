package im

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/wire"
)

// RepealOptions are the inputs of `imictl im repeal`.
type RepealOptions struct {
	Options
	MessageID string
	User      string
}

// NewCmdRepeal returns `imictl im repeal`.
func NewCmdRepeal(f *cmdutil.Factory, runF func(*RepealOptions) error) *cobra.Command {
	opts := &RepealOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "repeal MESSAGEID --user USER",
		Short: "Revoke a message a local user sent",
		Long: `Revoke the message MESSAGEID that the local user USER sent: its local copies at
once, and at the recipient's server by a repeal queued behind the message
itself. Revoking a revoked message again changes nothing.`,
		Example: `  imictl im repeal 5f0c...@first --user alice`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.MessageID = args[0]
			opts.prepare(f, cmd)
			if _, err := wire.ParseAddress(opts.MessageID); err != nil {
				return cmdutil.UsageError("MESSAGEID %q: %v", opts.MessageID, err)
			}
			if err := checkLocalUser("--user", opts.User); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return repealRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.User, "user", "", "the local `USER` who sent the message")
	_ = cmd.MarkFlagRequired("user")
	opts.addFlags(cmd)
	return cmd
}

func repealRun(cmd *cobra.Command, opts *RepealOptions) error {
	c := opts.Client()
	defer c.Close()
	m, err := c.Repeal(cmd.Context(), opts.User, opts.MessageID)
	if err != nil {
		return opts.fail(err)
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: m, Details: sentDetails(m)})
}

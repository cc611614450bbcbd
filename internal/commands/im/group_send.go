package im

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// GroupSendOptions are the inputs of `imictl im group send`.
type GroupSendOptions struct {
	Options
	GroupRef // User is the sender, --from
	MessageContent
}

// NewCmdGroupSend returns `imictl im group send`.
func NewCmdGroupSend(f *cmdutil.Factory, runF func(*GroupSendOptions) error) *cobra.Command {
	opts := &GroupSendOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "send GROUP --from USER (--text TEXT | --file PATH [--type file|image|voice] [--name NAME] [--duration SECONDS])",
		Short: "Send a message or a file to a group, as a local member",
		Long: `Send a message from the local member USER to GROUP. The command returns once
the message is durable. For another server's group it goes to the group's
main server (S1, type 2); the main server stores it, delivers it to its own
members and passes it on to every other server with members (G7), each
member getting it once, in order, in their inbox ("imictl im inbox").

With --file the file is uploaded first, as for "imictl im send"; the main
server keeps its own copy, from which every member's server fetches it.`,
		Example: `  imictl im group send "Release team" --from bob --text "Hello, team" --data-dir ./second
  imictl im group send 3f2a9c1e07b4d685@local-im --from carol --file notes.pdf --data-dir ./third`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group = args[0]
			opts.prepare(f, cmd)
			if err := opts.GroupRef.validate("--from"); err != nil {
				return err
			}
			if err := opts.MessageContent.validate(cmd.Flags().Changed("type")); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return groupSendRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.User, "from", "", "the sending local member `USER`")
	_ = cmd.MarkFlagRequired("from")
	addContentFlags(cmd, &opts.MessageContent)
	opts.addFlags(cmd)
	return cmd
}

func groupSendRun(cmd *cobra.Command, opts *GroupSendOptions) error {
	return withGroup(cmd, &opts.Options, &opts.GroupRef, false, func(ctx context.Context, c *adminclient.Client, id string) error {
		var sent imstore.SentMessage
		var err error
		if opts.Type == wire.MessageText {
			sent, err = c.SendGroupText(ctx, opts.User, id, opts.Text)
		} else {
			in, closeIn, ferr := opts.open(opts.IO.In)
			if ferr != nil {
				return ferr
			}
			defer closeIn()
			sent, err = c.SendGroupFile(ctx, opts.User, id, opts.Type, opts.Name, in, opts.Duration)
		}
		if err != nil {
			return opts.fail(err)
		}
		return output.Print(opts.IO.Out, opts.Format, output.View{Data: sent, Details: sentDetails(sent)})
	})
}

package im

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
)

// SentOptions are the inputs of `imictl im sent`.
type SentOptions struct {
	Options
	User  string
	After uint64
	Limit int
}

// NewCmdSent returns `imictl im sent`.
func NewCmdSent(f *cmdutil.Factory, runF func(*SentOptions) error) *cobra.Command {
	opts := &SentOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "sent USER [--after SEQ] [--limit N]",
		Short: "List the messages a local user sent",
		Long: `List the messages the local user USER sent, oldest first, with their message
ids (what "imictl im repeal" takes). Whether a message reached the
recipient's server is in "imictl im outbox".`,
		Example: `  imictl im sent alice -o json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			opts.prepare(f, cmd)
			if err := checkLocalUser("USER", opts.User); err != nil {
				return err
			}
			if opts.Limit < 0 {
				return cmdutil.UsageError("--limit must be 0 (no limit) or positive")
			}
			if runF != nil {
				return runF(opts)
			}
			return sentRun(cmd, opts)
		},
	}
	cmd.Flags().Uint64Var(&opts.After, "after", 0, "only messages after sequence number `SEQ`")
	cmd.Flags().IntVar(&opts.Limit, "limit", 0, "show at most `N` messages (0: all)")
	opts.addFlags(cmd)
	return cmd
}

func sentRun(cmd *cobra.Command, opts *SentOptions) error {
	c := opts.Client()
	defer c.Close()
	msgs, err := c.Sent(cmd.Context(), opts.User, opts.After, opts.Limit)
	if err != nil {
		return opts.fail(err)
	}
	rows := make([][]string, 0, len(msgs))
	for _, m := range msgs {
		rows = append(rows, []string{strconv.FormatUint(m.Seq, 10), m.MessageID, when(m.SentAt), m.To, m.MessageType, summary(m.Message), revoked(m.Revocation)})
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: nonNil(msgs),
		Headers: []string{"Seq", "Message ID", "Sent", "To", "Type", "Content", "State"}, Rows: rows})
}

package im

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/wire"
)

// GroupHistoryOptions are the inputs of `imictl im group history`.
type GroupHistoryOptions struct {
	Options
	GroupRef
	After string // a messageID
	Limit int
	Wait  bool
	// Poll is the polling interval of --wait.
	Poll time.Duration
}

// NewCmdGroupHistory returns `imictl im group history`.
func NewCmdGroupHistory(f *cmdutil.Factory, runF func(*GroupHistoryOptions) error) *cobra.Command {
	opts := &GroupHistoryOptions{Options: newOptions(f), Poll: pollInterval}
	cmd := &cobra.Command{
		Use:   "history GROUP --user USER [--after MESSAGEID] [--limit N] [--wait]",
		Short: "List a group's messages as its main server keeps them, as a local member",
		Long: `List GROUP's messages, oldest first, as its main server keeps them, asked as
the local member USER: for another server's group, this server asks it
(G8). The main server answers a page at a time: --after the last id shown
lists the next. --wait waits until there is at least one message to show.`,
		Example: `  imictl im group history "Release team" --user carol --data-dir ./third
  imictl im group history 3f2a9c1e07b4d685@local-im --user alice --after 9d1c0e4f5a6b7c8d@second -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group = args[0]
			opts.prepare(f, cmd)
			if err := opts.GroupRef.validate("--user"); err != nil {
				return err
			}
			if opts.After != "" {
				if _, err := wire.ParseAddress(opts.After); err != nil {
					return cmdutil.UsageError("--after %q: %v", opts.After, err)
				}
			}
			if opts.Limit < 0 {
				return cmdutil.UsageError("--limit must be 0 (the server's page) or positive")
			}
			if runF != nil {
				return runF(opts)
			}
			return groupHistoryRun(cmd, opts)
		},
	}
	addUserFlag(cmd, &opts.User, "the local member `USER` who asks")
	fl := cmd.Flags()
	fl.StringVar(&opts.After, "after", "", "only messages newer than the message `ID`")
	fl.IntVar(&opts.Limit, "limit", 0, "show at most `N` messages (0: the server's page)")
	fl.BoolVar(&opts.Wait, "wait", false, "wait until there is a message to show")
	opts.addFlags(cmd)
	return cmd
}

func groupHistoryRun(cmd *cobra.Command, opts *GroupHistoryOptions) error {
	return withGroup(cmd, &opts.Options, &opts.GroupRef, false, func(ctx context.Context, c *adminclient.Client, id string) error {
		for {
			h, err := c.GroupHistory(ctx, opts.User, id, opts.After, opts.Limit)
			if err != nil {
				return opts.fail(err)
			}
			if len(h.Messages) > 0 || !opts.Wait {
				return output.Print(opts.IO.Out, opts.Format, historyView(h))
			}
			if err := pause(ctx, opts.Poll); err != nil {
				return err
			}
		}
	})
}

func historyView(h adminapi.GroupHistory) output.View {
	h.Messages = nonNil(h.Messages)
	rows := make([][]string, 0, len(h.Messages))
	for _, m := range h.Messages {
		rows = append(rows, []string{m.MessageID, m.SenderID, m.MessageType, messageSummary(m)})
	}
	return output.View{Data: h, Headers: []string{"Message ID", "From", "Type", "Content"}, Rows: rows}
}

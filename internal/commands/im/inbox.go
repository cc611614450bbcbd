package im

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// pollInterval is how often --wait and --follow ask the server for new
// messages: a local socket call, cheap enough to feel immediate.
const pollInterval = 200 * time.Millisecond

// InboxOptions are the inputs of `imictl im inbox`.
type InboxOptions struct {
	Options
	User   string
	After  uint64
	Limit  int
	Wait   bool
	Follow bool
	// Poll is the polling interval of --wait and --follow.
	Poll time.Duration
}

// NewCmdInbox returns `imictl im inbox`.
func NewCmdInbox(f *cmdutil.Factory, runF func(*InboxOptions) error) *cobra.Command {
	opts := &InboxOptions{Options: newOptions(f), Poll: pollInterval}
	cmd := &cobra.Command{
		Use:   "inbox USER [--after SEQ] [--limit N] [--wait | --follow]",
		Short: "List the messages a local user received",
		Long: `List the messages the local user USER received, oldest first, each with its
sequence number (SEQ), which only grows: --after SEQ shows only what came
after it. Revoked messages stay listed, marked revoked.

--wait waits until there is at least one message to show, then lists as
usual: a script's way to wait for a delivery. --follow keeps listing new
messages as they arrive until interrupted (or until --limit messages were
shown), one line per message; with -o json, one JSON object per line.`,
		Example: `  imictl im inbox bob
  imictl im inbox bob --after 12 -o json
  imictl im inbox bob --data-dir ./second --wait`,
		Args: cobra.ExactArgs(1),
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
			return inboxRun(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.Uint64Var(&opts.After, "after", 0, "only messages after sequence number `SEQ`")
	fl.IntVar(&opts.Limit, "limit", 0, "show at most `N` messages (0: all); with --follow, stop after N")
	fl.BoolVar(&opts.Wait, "wait", false, "wait until there is a message to show")
	fl.BoolVar(&opts.Follow, "follow", false, "keep showing new messages as they arrive, until interrupted")
	cmd.MarkFlagsMutuallyExclusive("wait", "follow")
	opts.addFlags(cmd)
	return cmd
}

func inboxRun(cmd *cobra.Command, opts *InboxOptions) error {
	c := opts.Client()
	defer c.Close()
	ctx := cmd.Context()
	if opts.Follow {
		return follow(ctx, c, opts)
	}
	for {
		msgs, err := c.Inbox(ctx, opts.User, opts.After, opts.Limit)
		if err != nil && opts.Wait {
			return opts.fail(interrupted(ctx, err))
		}
		if err != nil {
			return opts.fail(err)
		}
		if len(msgs) > 0 || !opts.Wait {
			return output.Print(opts.IO.Out, opts.Format, inboxView(msgs))
		}
		if err := pause(ctx, opts.Poll); err != nil {
			return err
		}
	}
}

// follow prints new messages as they arrive.
func follow(ctx context.Context, c *adminclient.Client, opts *InboxOptions) error {
	after, shown := opts.After, 0
	for {
		want := 0
		if opts.Limit > 0 {
			want = opts.Limit - shown
		}
		msgs, err := c.Inbox(ctx, opts.User, after, want)
		if err != nil {
			if ctx.Err() != nil {
				return followEnded(opts, shown)
			}
			return opts.fail(err)
		}
		for _, m := range msgs {
			if err := printLine(opts.IO.Out, opts.Format, m); err != nil {
				return err
			}
			after = m.Seq
		}
		shown += len(msgs)
		if opts.Limit > 0 && shown >= opts.Limit {
			return nil
		}
		if pause(ctx, opts.Poll) != nil {
			return followEnded(opts, shown)
		}
	}
}

// followEnded is the outcome of an interrupted --follow: that is how it
// normally ends, unless --limit messages were awaited and did not come.
func followEnded(opts *InboxOptions, shown int) error {
	if opts.Limit > 0 {
		return fmt.Errorf("interrupted after %d of the %d messages awaited: %w", shown, opts.Limit, cmdutil.ErrCancelled)
	}
	return nil
}

// printLine prints one message as it arrives: a line for people, a JSON
// object per line, or a YAML document.
func printLine(w io.Writer, format output.Format, m imstore.InboxMessage) error {
	switch format {
	case output.JSON:
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case output.YAML:
		if _, err := io.WriteString(w, "---\n"); err != nil {
			return err
		}
		return output.Print(w, format, output.View{Data: m})
	}
	line := "#" + strconv.FormatUint(m.Seq, 10) + "   " + when(m.ReceivedAt) + "   " + m.From + "   " + m.MessageType + "   " + summary(m.Message)
	if m.Revoked {
		line += "   (revoked)"
	}
	_, err := fmt.Fprintln(w, output.EscapeControl(line))
	return err
}

// interrupted is ErrCancelled when ctx has ended, else err: a wait
// interrupted during a call to the server rather than between two is
// cancelled all the same (exit 3), not a failure of the server.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return cmdutil.ErrCancelled
	}
	return err
}

// pause waits d, or fails with ErrCancelled (exit 3) when ctx ends first.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return cmdutil.ErrCancelled
	}
}

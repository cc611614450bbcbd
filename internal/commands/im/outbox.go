package im

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// OutboxOptions are the inputs of `imictl im outbox`.
type OutboxOptions struct {
	Options
	Filter imstore.OutboxFilter
	State  string
}

// NewCmdOutbox returns `imictl im outbox`, which lists, and its retry and
// drop subcommands.
func NewCmdOutbox(f *cmdutil.Factory, runF func(*OutboxOptions) error) *cobra.Command {
	opts := &OutboxOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "outbox [--destination SERVER] [--state pending|parked|delivered] [--limit N]",
		Short: "List the calls queued for other servers; retry or drop them",
		Long: `List the calls this server queued for other servers (messages, repeals,
friend requests and answers), oldest first: pending ones wait for their next
attempt, parked ones were refused and hold back their conversation,
delivered ones are recent history.

A parked call shows why (its reason) and whether it is retried by itself.
A refusal that names a condition which can end (server_suspended, a policy
refusal, unknown_server, a certificate problem) is retried automatically,
with backoff, when the management server's notification or the next
directory refresh shows it gone: a peer resumed, a server registered. One
that cannot change (wrong_sender, bad_request, unknown_user,
duplicate_conflict...) stays parked until you retry or drop it. JSON
carries the same as "reason" and "retry" (automatic or manual).

"imictl im outbox retry" makes calls due now; "imictl im outbox drop" gives
up on one.`,
		Example: `  imictl im outbox --state parked
  imictl im outbox retry --destination second`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prepare(f, cmd)
			if err := checkOutboxFilter(opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return outboxRun(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Filter.Destination, "destination", "", "only calls to `SERVER` (a serverId, or host:port)")
	fl.StringVar(&opts.State, "state", "", "only calls in `STATE`: pending, parked or delivered")
	fl.IntVar(&opts.Filter.Limit, "limit", 0, "show at most `N` calls (0: all)")
	opts.addFlags(cmd)
	cmd.AddCommand(NewCmdOutboxRetry(f, nil), NewCmdOutboxDrop(f, nil))
	return cmd
}

func checkOutboxFilter(opts *OutboxOptions) error {
	opts.Filter.State = imstore.OutboxState(opts.State)
	switch opts.Filter.State {
	case "", imstore.OutboxPending, imstore.OutboxParked, imstore.OutboxDelivered:
	default:
		return cmdutil.UsageError("--state %q: want pending, parked or delivered", opts.State)
	}
	if opts.Filter.Limit < 0 {
		return cmdutil.UsageError("--limit must be 0 (no limit) or positive")
	}
	return checkDestination(opts.Filter.Destination)
}

// checkDestination accepts "" (any), a serverId or host:port.
func checkDestination(d string) error {
	if d == "" {
		return nil
	}
	if _, err := wire.ParseAddress("x@" + d); err != nil {
		return cmdutil.UsageError("--destination %q: want a serverId or host:port", d)
	}
	return nil
}

func outboxRun(cmd *cobra.Command, opts *OutboxOptions) error {
	c := opts.Client()
	defer c.Close()
	items, err := c.Outbox(cmd.Context(), opts.Filter)
	if err != nil {
		return opts.fail(err)
	}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		next := when(it.NextAttemptAt)
		switch it.State {
		case imstore.OutboxParked:
			next = parkedRetry(it)
		case imstore.OutboxDelivered:
			next = ""
		}
		rows = append(rows, []string{strconv.FormatUint(it.ID, 10), it.Destination, it.Path, it.MessageID, string(it.State),
			strconv.Itoa(it.Attempts), next, it.LastError})
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: nonNil(items),
		Headers: []string{"ID", "Destination", "Path", "Message ID", "State", "Attempts", "Next attempt", "Last error"}, Rows: rows})
}

// parkedRetry says, for a parked call, why and what brings it back.
func parkedRetry(it imstore.OutboxItem) string {
	why := it.Reason
	if why == "" {
		why = "refused"
	}
	if it.Retry == imstore.RetryAutomatic {
		return "automatic, once " + why + " ends"
	}
	return "manual (" + why + "): retry or drop"
}

// OutboxRetryOptions are the inputs of `imictl im outbox retry`.
type OutboxRetryOptions struct {
	Options
	ID          uint64
	Destination string
}

// NewCmdOutboxRetry returns `imictl im outbox retry`.
func NewCmdOutboxRetry(f *cmdutil.Factory, runF func(*OutboxRetryOptions) error) *cobra.Command {
	opts := &OutboxRetryOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "retry (ID | --destination SERVER)",
		Short: "Make a parked or pending call due now, or every call to a server",
		Long: `Make the queued call ID (parked or pending) due now, or every undelivered call
to SERVER, and wake its delivery: after fixing what made a peer refuse, or
when a peer is back before its next attempt.`,
		Example: `  imictl im outbox retry 7
  imictl im outbox retry --destination second`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prepare(f, cmd)
			switch {
			case len(args) == 1 && opts.Destination != "":
				return cmdutil.UsageError("give ID or --destination, not both")
			case len(args) == 1:
				id, err := strconv.ParseUint(args[0], 10, 64)
				if err != nil || id == 0 {
					return cmdutil.UsageError("ID %q: want the number \"imictl im outbox\" shows", args[0])
				}
				opts.ID = id
			case opts.Destination == "":
				return cmdutil.UsageError("what to retry? give ID or --destination SERVER")
			default:
				if err := checkDestination(opts.Destination); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return outboxRetryRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Destination, "destination", "", "retry every undelivered call to `SERVER`")
	opts.addFlags(cmd)
	return cmd
}

func outboxRetryRun(cmd *cobra.Command, opts *OutboxRetryOptions) error {
	c := opts.Client()
	defer c.Close()
	n := 1
	var err error
	if opts.ID > 0 {
		err = c.RetryOutbox(cmd.Context(), opts.ID)
	} else {
		n, err = c.RetryDestination(cmd.Context(), opts.Destination)
	}
	if err != nil {
		return opts.fail(err)
	}
	res := adminapi.Count{Count: n}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: res, Details: []output.Field{{Key: "Calls due now", Value: strconv.Itoa(n)}}})
}

// OutboxDropOptions are the inputs of `imictl im outbox drop`.
type OutboxDropOptions struct {
	Options
	ID  uint64
	Yes bool
}

// NewCmdOutboxDrop returns `imictl im outbox drop`.
func NewCmdOutboxDrop(f *cmdutil.Factory, runF func(*OutboxDropOptions) error) *cobra.Command {
	opts := &OutboxDropOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "drop ID [--yes]",
		Short: "Give up on an undelivered call",
		Long: `Give up on the undelivered call ID: it is deleted, never sent, and the calls
queued behind it in its conversation go ahead. The peer never learns of it.`,
		Example: `  imictl im outbox drop 7 --yes`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prepare(f, cmd)
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return cmdutil.UsageError("ID %q: want the number \"imictl im outbox\" shows", args[0])
			}
			opts.ID = id
			if err := cmdutil.ConfirmDestructive(f, opts.Yes, fmt.Sprintf("Drop call %d for good?", id)); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return outboxDropRun(cmd, opts)
		},
	}
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	opts.addFlags(cmd)
	return cmd
}

func outboxDropRun(cmd *cobra.Command, opts *OutboxDropOptions) error {
	c := opts.Client()
	defer c.Close()
	it, err := c.DropOutbox(cmd.Context(), opts.ID)
	if err != nil {
		return opts.fail(err)
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: it, Details: []output.Field{
		{Key: "Dropped", Value: strconv.FormatUint(it.ID, 10)}, {Key: "Destination", Value: it.Destination},
		{Key: "Path", Value: it.Path}, {Key: "Message ID", Value: it.MessageID}, {Key: "Attempts", Value: strconv.Itoa(it.Attempts)},
		{Key: "Last error", Value: it.LastError},
	}})
}

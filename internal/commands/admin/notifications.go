package admin

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// NotificationsOptions are the inputs of `imictl admin notifications`.
type NotificationsOptions struct {
	IO      *iostreams.IOStreams
	Format  output.Format
	Filter  store.OutboxFilter
	Entries bool
	Admin   mgmtutil.AdminFlags
}

// NewCmdNotifications returns `imictl admin notifications` and its retry
// subcommand. runF replaces the run step in tests.
func NewCmdNotifications(f *cmdutil.Factory, runF func(*NotificationsOptions) error) *cobra.Command {
	opts := &NotificationsOptions{IO: f.IOStreams}
	var state string
	cmd := &cobra.Command{
		Use:   "notifications",
		Short: "Follow the change notifications sent to IM servers",
		Long: `Show the change notifications (interface M3) the management server owes each
IM server: one per destination by default, with how many are pending and
delivered, the oldest pending one, its failed attempts and last error, and
when it is retried next. --entries lists the notifications one by one.
A change whose notifications are still being queued (the server queues one
per active server, in batches) is in no row yet: the table says so on
standard error.

A destination that is down is retried with backoff; once it is fixed,
"imictl admin notifications retry DEST" sends its notifications now.`,
		Example: `  imictl admin notifications
  imictl admin notifications --state pending --entries -o json
  imictl admin notifications retry vrv_linkdood`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			switch s := store.OutboxState(state); s {
			case "", store.OutboxPending, store.OutboxDelivered:
				opts.Filter.State = s
			default:
				return cmdutil.UsageError("invalid --state %q: want pending or delivered", state)
			}
			if d := opts.Filter.Destination; d != "" {
				if err := pki.ValidateServerID(d); err != nil {
					return cmdutil.UsageError("invalid --destination: %v", err)
				}
			}
			if opts.Filter.Limit < 0 {
				return cmdutil.UsageError("--limit must not be negative")
			}
			if opts.Filter.Limit > 0 && !opts.Entries {
				return cmdutil.UsageError("--limit applies to --entries: add --entries")
			}
			if runF != nil {
				return runF(opts)
			}
			return notificationsRun(f, cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Filter.Destination, "destination", "", "only the notifications to serverId `ID`")
	cmd.Flags().StringVar(&state, "state", "", "only notifications in `STATE` pending or delivered")
	cmd.Flags().BoolVar(&opts.Entries, "entries", false, "list the notifications one by one instead of per destination")
	cmd.Flags().IntVar(&opts.Filter.Limit, "limit", 0, "with --entries, at most `N`, oldest first (0: all)")
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, caPasswordFlag)
	cmd.AddCommand(NewCmdRetry(f, nil))
	return cmd
}

func notificationsRun(f *cmdutil.Factory, cmd *cobra.Command, opts *NotificationsOptions) error {
	adm, done, err := opts.Admin.Open(cmd.Context(), f)
	if err != nil {
		return err
	}
	defer done()
	entries, err := adm.Notifications(cmd.Context(), opts.Filter)
	if err != nil {
		return mgmtutil.Error(err)
	}
	if opts.Entries {
		return output.Print(opts.IO.Out, opts.Format, entriesView(entries))
	}
	if err := output.Print(opts.IO.Out, opts.Format, summaryView(mgmt.SummarizeNotifications(entries))); err != nil {
		return err
	}
	if opts.Format != output.Table {
		return nil
	}
	// Changes whose notifications are still being queued are in no row
	// yet: say so, so that an empty or short table is not taken for all.
	changes, err := adm.QueuedChanges(cmd.Context())
	if err != nil {
		return mgmtutil.Error(err)
	}
	if len(changes) > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "%d %s still being queued for the active servers (the oldest, of %s, since %s): their notifications are added as they are\n",
			len(changes), plural(len(changes), "change is", "changes are"), changes[0].Subject, stamp(utc(changes[0].CreatedAt)))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func entriesView(entries []store.OutboxEntry) output.View {
	list := make([]store.OutboxEntry, len(entries))
	rows := make([][]string, len(entries))
	for i, e := range entries {
		e.NextAttemptAt, e.CreatedAt, e.DeliveredAt = utc(e.NextAttemptAt), utc(e.CreatedAt), utc(e.DeliveredAt)
		list[i] = e
		next := stamp(e.NextAttemptAt)
		if e.State == store.OutboxDelivered {
			next = "-"
		}
		rows[i] = []string{fmt.Sprint(e.ID), e.Destination, e.Subject, string(e.State), fmt.Sprint(e.Attempts), next, orDash(e.LastError)}
	}
	return output.View{Data: list, Headers: []string{"id", "destination", "subject", "state", "attempts", "nextAttempt", "lastError"}, Rows: rows}
}

func summaryView(states []mgmt.DestinationState) output.View {
	list := make([]mgmt.DestinationState, len(states))
	rows := make([][]string, len(states))
	for i, s := range states {
		s.OldestPending, s.NextAttemptAt, s.LastDelivered = utc(s.OldestPending), utc(s.NextAttemptAt), utc(s.LastDelivered)
		list[i] = s
		rows[i] = []string{s.Destination, fmt.Sprint(s.Pending), fmt.Sprint(s.Delivered), fmt.Sprint(s.Attempts), stamp(s.OldestPending), stamp(s.NextAttemptAt), orDash(s.LastError)}
	}
	return output.View{Data: list, Headers: []string{"destination", "pending", "delivered", "attempts", "oldestPending", "nextAttempt", "lastError"}, Rows: rows}
}

// utc is t in UTC, the zero time left zero (so that omitzero omits it).
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// RetryOptions are the inputs of `imictl admin notifications retry`.
type RetryOptions struct {
	IO          *iostreams.IOStreams
	Format      output.Format
	Destination string // "" with All
	All         bool
	Reviewer    string
	Admin       mgmtutil.AdminFlags
}

// RetryResult is the JSON form of `admin notifications retry -o json`.
type RetryResult struct {
	Destination string `json:"destination,omitempty"` // absent for --all
	Count       int    `json:"count"`                 // notifications made due now
}

// NewCmdRetry returns `imictl admin notifications retry`. runF replaces the
// run step in tests.
func NewCmdRetry(f *cmdutil.Factory, runF func(*RetryOptions) error) *cobra.Command {
	opts := &RetryOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "retry DEST | --all",
		Short: "Send the pending notifications of a destination now",
		Long: `Make the pending notifications to serverId DEST (or to every destination,
with --all) due now instead of at their next backoff, once the destination
is reachable again. A running server sends them at once; a stopped one when
it starts.`,
		Example: `  imictl admin notifications retry vrv_linkdood
  imictl admin notifications retry --all -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			switch {
			case len(args) == 1 && opts.All:
				return cmdutil.UsageError("give a destination or --all, not both")
			case len(args) == 1:
				opts.Destination = args[0]
				if err := pki.ValidateServerID(opts.Destination); err != nil {
					return cmdutil.UsageError("invalid destination %q: %v", opts.Destination, err)
				}
			case !opts.All:
				return cmdutil.UsageError("which destination? give its serverId, or --all for every destination")
			}
			if runF != nil {
				return runF(opts)
			}
			return retryRun(f, cmd, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "retry the pending notifications of every destination")
	cmdutil.AddNoopYesFlag(cmd)
	mgmtutil.AddReviewerFlag(cmd, &opts.Reviewer)
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, caPasswordFlag)
	return cmd
}

func retryRun(f *cmdutil.Factory, cmd *cobra.Command, opts *RetryOptions) error {
	adm, done, err := opts.Admin.Open(cmd.Context(), f)
	if err != nil {
		return err
	}
	defer done()
	n, err := adm.RetryNotifications(cmd.Context(), opts.Destination, mgmtutil.Actor(f, opts.Reviewer))
	if err != nil {
		return mgmtutil.Error(err)
	}
	res := RetryResult{Destination: opts.Destination, Count: n}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: res, Details: []output.Field{
		{Key: "Destination", Value: orDash(res.Destination)},
		{Key: "Retried", Value: fmt.Sprint(res.Count)},
	}})
}

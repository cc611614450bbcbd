package im

import (
	"errors"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// StatusOptions are the inputs of `imictl im status`.
type StatusOptions struct {
	Options
	Wait bool
	// Poll is the polling interval of --wait.
	Poll time.Duration
}

// NewCmdStatus returns `imictl im status`.
func NewCmdStatus(f *cmdutil.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{Options: newOptions(f), Poll: pollInterval}
	cmd := &cobra.Command{
		Use:   "status [--wait]",
		Short: "Show whether the IM server runs, who it is and what waits for delivery",
		Long: `Show the running IM server of the data directory: its serverId, the address
registered at the management server, where it listens, its number of users,
and the destinations with undelivered calls. Exit code 6 means it is not
running; --wait waits until it is (a script starting "imictl serve" in the
background, or a server waiting for its registration to be approved).`,
		Example: `  imictl im status
  imictl im status --data-dir ./second --wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prepare(f, cmd)
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Wait, "wait", false, "wait until the server runs")
	opts.addFlags(cmd)
	return cmd
}

func statusRun(cmd *cobra.Command, opts *StatusOptions) error {
	c := opts.Client()
	defer c.Close()
	st, err := c.Status(cmd.Context())
	for opts.Wait && errors.Is(err, adminclient.ErrNotRunning) {
		if err := pause(cmd.Context(), opts.Poll); err != nil {
			return err
		}
		st, err = c.Status(cmd.Context())
	}
	if err != nil && opts.Wait {
		return opts.fail(interrupted(cmd.Context(), err))
	}
	if err != nil {
		return opts.fail(err)
	}
	fields := []output.Field{
		{Key: "Server ID", Value: st.ServerID}, {Key: "Address", Value: st.Address}, {Key: "Listening on", Value: st.Listen},
		{Key: "Management server", Value: st.MgmtURL}, {Key: "Users", Value: strconv.Itoa(st.Users)},
	}
	if st.DuplicateConflicts > 0 { // peers that reuse messageIDs: worth a look at the log
		fields = append(fields, output.Field{Key: "Duplicate conflicts", Value: strconv.FormatInt(st.DuplicateConflicts, 10)})
	}
	if len(st.Outbox) == 0 {
		fields = append(fields, output.Field{Key: "Outbox", Value: "empty"})
	}
	for _, d := range st.Outbox {
		fields = append(fields, output.Field{Key: "Outbox " + d.Destination,
			Value: strconv.Itoa(d.Pending) + " pending, " + strconv.Itoa(d.Parked) + " parked"})
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: st, Details: fields})
}

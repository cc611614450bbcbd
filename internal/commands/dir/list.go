package dir

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/pki"
)

// ListOptions are the inputs of `imictl dir list`.
type ListOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
	Query  api.ServersQuery
}

// ListResult is the JSON form of `dir list -o json`. ServerTime (ms since
// the Unix epoch) is the --since of the next incremental query.
type ListResult struct {
	Servers    []Entry `json:"servers"`
	ServerTime int64   `json:"serverTime"`
}

// NewCmdList returns `imictl dir list`. runF replaces the run step in tests.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the registered IM servers (M1)",
		Long: `List the IM servers of the directory (interface M1), cancelled ones included:
all of them, those named by --id, or those changed after --since. The call is
signed as your registered server and the answer authenticated with the
pinned root.

-o json also gives serverTime: pass it as --since next time to get only what
changed meanwhile (milliseconds since the Unix epoch, the standard's
lastQueryTime).`,
		Example: `  imictl dir list
  imictl dir list --id vrv_linkdood --id other_im -o json
  imictl dir list --since 1735787045000 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			for _, id := range opts.Query.ServerIDs {
				if err := pki.ValidateServerID(id); err != nil {
					return cmdutil.UsageError("invalid --id %q: %v", id, err)
				}
			}
			if opts.Query.LastQueryTime < 0 {
				return cmdutil.UsageError("--since must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(f, cmd, opts)
		},
	}
	identity.AddFlags(cmd)
	cmd.Flags().StringArrayVar(&opts.Query.ServerIDs, "id", nil, "only the server `ID` (repeat for several)")
	cmd.Flags().Int64Var(&opts.Query.LastQueryTime, "since", 0, "only servers changed after `MS` (a previous serverTime)")
	return cmd
}

func listRun(f *cmdutil.Factory, cmd *cobra.Command, opts *ListOptions) error {
	m, err := mgmtutil.SignedPublic(f, cmd, identity.Needs{Cert: true})
	if err != nil {
		return err
	}
	resp, err := m.Servers(cmd.Context(), opts.Query)
	if err != nil {
		return mgmtutil.Error(err)
	}
	res := ListResult{Servers: make([]Entry, len(resp.Servers)), ServerTime: resp.ServerTime}
	rows := make([][]string, len(resp.Servers))
	for i, r := range resp.Servers {
		e := newEntry(r)
		res.Servers[i] = e
		rows[i] = []string{e.ServerID, e.ServerName, orDash(e.ServerType), e.Status, e.ServerAddress}
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: res, Headers: []string{"serverId", "name", "type", "status", "address"}, Rows: rows})
}

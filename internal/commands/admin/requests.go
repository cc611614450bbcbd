package admin

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// RequestsOptions are the inputs of `imictl admin requests`.
type RequestsOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
	ID     string // show this one only
	Filter store.ApplicationFilter
	Admin  mgmtutil.AdminFlags
}

// NewCmdRequests returns `imictl admin requests`. runF replaces the run
// step in tests.
func NewCmdRequests(f *cmdutil.Factory, runF func(*RequestsOptions) error) *cobra.Command {
	opts := &RequestsOptions{IO: f.IOStreams}
	var state, kind string
	cmd := &cobra.Command{
		Use:   "requests [ID]",
		Short: "List registration requests, or show one",
		Long: `List the applications to register (kind new), modify or cancel a server,
oldest first: the pending ones unless --state says otherwise. With an ID,
show that one in full: its fields, the fingerprint of its CSR's public key
(compare it with what the applicant tells you), and its decision.`,
		Example: `  imictl admin requests
  imictl admin requests --state all --server-id vrv_linkdood
  imictl admin requests req-12 -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if len(args) == 1 {
				opts.ID = args[0]
			}
			switch s := store.State(state); s {
			case "all":
			case store.StatePending, store.StateApproved, store.StateRejected:
				opts.Filter.State = s
			default:
				return cmdutil.UsageError("invalid --state %q: want pending, approved, rejected or all", state)
			}
			switch k := store.Kind(kind); k {
			case "":
			case "submit":
				opts.Filter.Kind = store.KindNew
			case store.KindNew, store.KindModify, store.KindCancel:
				opts.Filter.Kind = k
			default:
				return cmdutil.UsageError("invalid --kind %q: want new, modify or cancel", kind)
			}
			if id := opts.Filter.ServerID; id != "" {
				if err := pki.ValidateServerID(id); err != nil {
					return cmdutil.UsageError("invalid --server-id: %v", err)
				}
			}
			if opts.ID != "" && (cmd.Flags().Changed("state") || kind != "" || opts.Filter.ServerID != "") {
				return cmdutil.UsageError("an ID shows that request only: drop --state, --kind and --server-id")
			}
			if runF != nil {
				return runF(opts)
			}
			return requestsRun(f, cmd, opts)
		},
	}
	cmd.Flags().StringVar(&state, "state", string(store.StatePending), "only requests in `STATE` pending, approved, rejected, or all")
	cmd.Flags().StringVar(&kind, "kind", "", "only requests of `KIND` new, modify or cancel")
	cmd.Flags().StringVar(&opts.Filter.ServerID, "server-id", "", "only the requests of serverId `ID`")
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, caPasswordFlag)
	return cmd
}

func requestsRun(f *cmdutil.Factory, cmd *cobra.Command, opts *RequestsOptions) error {
	ctx := cmd.Context()
	adm, done, err := opts.Admin.Open(ctx, f)
	if err != nil {
		return err
	}
	defer done()
	if opts.ID != "" {
		a, err := adm.Request(ctx, opts.ID)
		if err != nil {
			return mgmtutil.Error(err)
		}
		return output.Print(opts.IO.Out, opts.Format, newRequest(a).view())
	}
	apps, err := adm.Requests(ctx, opts.Filter)
	if err != nil {
		return mgmtutil.Error(err)
	}
	reqs := make([]Request, len(apps))
	for i, a := range apps {
		reqs[i] = newRequest(a)
	}
	return output.Print(opts.IO.Out, opts.Format, requestsView(reqs))
}

package ca

import (
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// ListOptions are the inputs of `imictl ca list`.
type ListOptions struct {
	IO             *iostreams.IOStreams
	Format         output.Format
	Now            func() time.Time
	ServerID       string
	Status         store.CertStatus
	ExpiringWithin time.Duration
	Admin          mgmtutil.AdminFlags
}

// NewCmdList returns `imictl ca list`. runF replaces the run step in tests.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Now: f.Now}
	var status, within string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the certificates the CA issued",
		Long: `List every certificate the CA issued, oldest first: through registrations,
key rotations and "ca sign". The status is the one now: valid, revoked, or
expired.

--expiring-within 30d lists the certificates whose validity ends within 30
days, for renewal reminders; it shows valid ones only unless --status says
otherwise.`,
		Example: `  imictl ca list
  imictl ca list --server-id vrv_linkdood -o json
  imictl ca list --expiring-within 30d -o json | jq -r '.[].serverId'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if opts.ServerID != "" {
				if err := pki.ValidateServerID(opts.ServerID); err != nil {
					return cmdutil.UsageError("invalid --server-id: %v", err)
				}
			}
			switch s := store.CertStatus(status); s {
			case "", store.CertValid, store.CertRevoked, store.CertExpired:
				opts.Status = s
			default:
				return cmdutil.UsageError("invalid --status %q: want valid, revoked or expired", status)
			}
			if within != "" {
				var err error
				if opts.ExpiringWithin, err = mgmtutil.ParseDuration("expiring-within", within); err != nil {
					return err
				}
				if opts.Status == "" {
					opts.Status = store.CertValid
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(f, cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.ServerID, "server-id", "", "only the certificates of serverId `ID`")
	cmd.Flags().StringVar(&status, "status", "", "only certificates in `STATUS` valid, revoked or expired")
	cmd.Flags().StringVar(&within, "expiring-within", "", "only certificates whose validity ends within `DURATION`, e.g. 30d")
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, passwordFlag)
	return cmd
}

func listRun(f *cmdutil.Factory, cmd *cobra.Command, opts *ListOptions) error {
	adm, done, err := opts.Admin.Open(cmd.Context(), f)
	if err != nil {
		return err
	}
	defer done()
	now := opts.Now()
	filter := store.CertFilter{ServerID: opts.ServerID, Status: opts.Status}
	if opts.ExpiringWithin > 0 {
		filter.ExpiringBefore = now.Add(opts.ExpiringWithin)
	}
	recs, err := adm.Certificates(cmd.Context(), filter)
	if err != nil {
		return mgmtutil.Error(err)
	}
	// The store keeps them by serial, which is random: show them in the
	// order they were issued.
	slices.SortStableFunc(recs, func(a, b store.Certificate) int { return a.IssuedAt.Compare(b.IssuedAt) })
	certs := make([]Cert, len(recs))
	for i, r := range recs {
		certs[i] = newCert(r, now)
	}
	return output.Print(opts.IO.Out, opts.Format, listView(certs))
}

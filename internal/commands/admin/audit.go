package admin

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// AuditOptions are the inputs of `imictl admin audit`.
type AuditOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
	Filter store.AuditFilter
	Admin  mgmtutil.AdminFlags
}

// NewCmdAudit returns `imictl admin audit`. runF replaces the run step in
// tests.
func NewCmdAudit(f *cmdutil.Factory, runF func(*AuditOptions) error) *cobra.Command {
	opts := &AuditOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read the audit log",
		Long: `Print the audit log, oldest first: every change to the registry (submissions,
decisions, server status, certificates issued and revoked, CRLs, retries),
who made it and when. The log is written in the transaction of each change,
so it holds exactly the changes that happened.

--subject narrows it to one application id, serverId or certificate serial;
--after SEQ continues from the last entry you saw.`,
		Example: `  imictl admin audit --subject vrv_linkdood
  imictl admin audit --after 120 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if opts.Filter.Limit < 0 {
				return cmdutil.UsageError("--limit must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return auditRun(f, cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Filter.Subject, "subject", "", "only entries about `SUBJECT`: an application id, serverId or serial")
	cmd.Flags().Uint64Var(&opts.Filter.After, "after", 0, "only entries after sequence number `SEQ`")
	cmd.Flags().IntVar(&opts.Filter.Limit, "limit", 0, "at most `N` entries (0: all)")
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, caPasswordFlag)
	return cmd
}

func auditRun(f *cmdutil.Factory, cmd *cobra.Command, opts *AuditOptions) error {
	adm, done, err := opts.Admin.Open(cmd.Context(), f)
	if err != nil {
		return err
	}
	defer done()
	entries, err := adm.Audit(cmd.Context(), opts.Filter)
	if err != nil {
		return mgmtutil.Error(err)
	}
	list := make([]store.AuditEntry, len(entries))
	rows := make([][]string, len(entries))
	for i, e := range entries {
		e.At = e.At.UTC()
		list[i] = e
		rows[i] = []string{fmt.Sprint(e.Seq), stamp(e.At), e.Actor, e.Action, e.Subject, orDash(e.Detail)}
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: list, Headers: []string{"seq", "at", "actor", "action", "subject", "detail"}, Rows: rows})
}

package admin

import (
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt"
)

// BackupOptions are the inputs of `imictl admin backup`.
type BackupOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
	Out    string
	Force  bool
	Admin  mgmtutil.AdminFlags
}

// NewCmdBackup returns `imictl admin backup`. runF replaces the run step
// in tests.
func NewCmdBackup(f *cmdutil.Factory, runF func(*BackupOptions) error) *cobra.Command {
	opts := &BackupOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "backup --out FILE",
		Short: "Copy the management server's database and CA into one archive",
		Long: `Write a backup of the management server of --data-dir to FILE: its database
(registrations, servers, certificates, revocations, the change clock,
notifications, the audit log) and its CA directory, in one gzip-compressed
tar archive. "imictl admin restore" puts it back.

A running server goes on serving: the database is read in one transaction
through its admin socket, so the copy is consistent. A stopped server's
database is read directly. The CA keys are copied as they are on disk:
encrypted unless the CA was created with --insecure. Keep the archive as
safe as the data directory; it is written with mode 0600.`,
		Example: `  imictl admin backup --out mgmt-$(date +%F).tgz
  imictl admin backup --data-dir /var/lib/imictl --out /backup/mgmt.tgz -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if opts.Out == "" || opts.Out == cmdutil.Stdio {
				return cmdutil.UsageError("name the archive to write with --out FILE")
			}
			if runF != nil {
				return runF(opts)
			}
			return backupRun(f, cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the archive to `FILE`")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite FILE if it exists")
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, caPasswordFlag)
	return cmd
}

func backupRun(f *cmdutil.Factory, cmd *cobra.Command, opts *BackupOptions) error {
	ctx := cmd.Context()
	if opts.Admin.IsRemote(f) { // the archive holds the CA files of the host
		return cmdutil.UsageError("admin backup is not offered over the remote admin API: run it on the management server's host, without --admin-url")
	}
	adm, done, err := opts.Admin.Open(ctx, f)
	if err != nil {
		return err
	}
	defer done()
	dataDir := cmdutil.DataDir(f, opts.Admin.DataDir)
	var m mgmt.BackupManifest
	err = cmdutil.WriteFileFrom(opts.Out, 0o600, opts.Force, func(w io.Writer) error {
		var err error
		m, err = mgmt.WriteBackup(ctx, w, adm, dataDir, filepath.Dir(opts.Out), f.Now())
		return mgmtutil.Error(err)
	})
	if err != nil {
		return err
	}
	res := backupResult{File: opts.Out, Manifest: m}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: res, Details: []output.Field{
		{Key: "Archive", Value: res.File},
		{Key: "Database", Value: formatBytes(m.DatabaseBytes) + " (SHA-256 " + m.DatabaseSHA256 + ")"},
		{Key: "CA files", Value: joinOrDash(m.CAFiles)},
		{Key: "Created", Value: stamp(m.CreatedAt)},
	}})
}

// backupResult is the JSON of `admin backup`.
type backupResult struct {
	File     string              `json:"file"`
	Manifest mgmt.BackupManifest `json:"manifest"`
}

package admin

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt"
)

// RestoreOptions are the inputs of `imictl admin restore`.
type RestoreOptions struct {
	IO      *iostreams.IOStreams
	Format  output.Format
	From    string
	DataDir string
	Force   bool
}

// NewCmdRestore returns `imictl admin restore`. runF replaces the run step
// in tests.
func NewCmdRestore(f *cmdutil.Factory, runF func(*RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "restore --from FILE",
		Short: "Restore the management server from an archive of admin backup",
		Long: `Put the database and CA of an "imictl admin backup" archive into --data-dir,
for "imictl serve --mgmt" to serve from.

Everything is checked before anything is moved into place: the archive's
entries, the database's SHA-256 against its manifest, that the database
opens and that the CA root reads. A data directory that already holds a
management server is refused unless --force, which moves its mgmt/ aside
(to mgmt.before-restore-<time>, kept) first; a running server is refused
either way: stop it first. The root fingerprint printed must be the one IM
servers pinned.`,
		Example: `  imictl admin restore --from mgmt-2026-12-01.tgz --data-dir ./restored
  imictl serve --mgmt --data-dir ./restored`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if opts.From == "" || opts.From == cmdutil.Stdio {
				return cmdutil.UsageError("name the archive to restore with --from FILE")
			}
			if runF != nil {
				return runF(opts)
			}
			return restoreRun(f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.From, "from", "", "read the archive from `FILE`")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "restore over an existing management server, moving its data aside")
	cmdutil.AddNoopYesFlag(cmd)
	cmdutil.AddDataDirFlag(cmd, &opts.DataDir)
	return cmd
}

func restoreRun(f *cmdutil.Factory, opts *RestoreOptions) error {
	in, err := os.Open(opts.From)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", opts.From, errors.Unwrap(err))
	}
	defer in.Close()
	dataDir := cmdutil.DataDir(f, opts.DataDir)
	res, err := mgmt.RestoreBackup(in, dataDir, opts.Force, f.Now())
	if err != nil {
		return mgmtutil.Error(err)
	}
	out := restoreResult{DataDir: dataDir, RestoreResult: res}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: out, Details: []output.Field{
		{Key: "Data directory", Value: dataDir},
		{Key: "Backup of", Value: stamp(res.Manifest.CreatedAt)},
		{Key: "Database", Value: formatBytes(res.Manifest.DatabaseBytes)},
		{Key: "Root SHA-256", Value: res.RootSHA256},
		{Key: "Moved aside", Value: orDash(res.MovedAside)},
		{Key: "Next", Value: "imictl serve --mgmt --data-dir " + dataDir},
	}})
}

// restoreResult is the JSON of `admin restore`.
type restoreResult struct {
	DataDir string `json:"dataDir"`
	mgmt.RestoreResult
}

func joinOrDash(s []string) string { return orDash(strings.Join(s, ", ")) }

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

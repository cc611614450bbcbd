package cmdutil

import (
	"github.com/spf13/cobra"
)

// Shared flags, so that every command words them the same way.

// AddYesFlag adds --yes, the answer to ConfirmDestructive when nobody can be
// asked.
func AddYesFlag(cmd *cobra.Command, yes *bool) {
	cmd.Flags().BoolVarP(yes, "yes", "y", false, "do not ask for confirmation (needed when not on a terminal)")
}

// AddNoopYesFlag adds --yes to a command that changes state without asking
// anything, so that scripts can pass --yes to every such command alike.
func AddNoopYesFlag(cmd *cobra.Command) {
	cmd.Flags().BoolP("yes", "y", false, "accepted for scripts that pass it everywhere: this command asks nothing")
}

// AddForceFlag adds --force, passed to WriteFileAtomic / WriteOutput.
func AddForceFlag(cmd *cobra.Command, force *bool) {
	cmd.Flags().BoolVar(force, "force", false, "overwrite existing output files")
}

// Where commands that work on a local database keep it.
const (
	DataDirFlag    = "data-dir"
	DataDirEnv     = "IMICTL_DATA_DIR"
	DefaultDataDir = "./imictl-data"
)

// AddDataDirFlag adds --data-dir; resolve the value with DataDir.
func AddDataDirFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVar(dir, DataDirFlag, "", "`DIR` of the local database (default $"+DataDirEnv+", else "+DefaultDataDir+")")
}

// DataDir returns the --data-dir value, else $IMICTL_DATA_DIR, else
// ./imictl-data.
func DataDir(f *Factory, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := f.Getenv(DataDirEnv); v != "" {
		return v
	}
	return DefaultDataDir
}

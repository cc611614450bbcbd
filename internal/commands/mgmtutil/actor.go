package mgmtutil

import (
	"os/user"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// ReviewerFlag names who acts in the audit log.
const ReviewerFlag = "reviewer"

// AddReviewerFlag adds --reviewer to a command that changes the registry.
func AddReviewerFlag(cmd *cobra.Command, reviewer *string) {
	cmd.Flags().StringVar(reviewer, ReviewerFlag, "", "`NAME` recorded in the audit log (default admin:<your OS user>)")
}

// Actor is who acts, for the audit log: the --reviewer value, else
// "admin:" and the operating system user running the command. It is a
// label, not an authentication: the admin socket (0600) and the database
// file already limit who can act at all.
func Actor(f *cmdutil.Factory, given string) string {
	if given != "" {
		return given
	}
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = f.Getenv("USER")
	}
	if name == "" {
		name = "unknown"
	}
	return "admin:" + name
}

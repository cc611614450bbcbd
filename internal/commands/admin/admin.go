// Package admin implements `imictl admin`: the management server's
// administrator reviews applications (requests, approve, reject), suspends
// and resumes servers, lists them, follows change notifications and reads
// the audit log. Every command works on the management server of
// --data-dir: through its admin socket while it runs, on its database
// directly while it is stopped (internal/mgmt/client.OpenAdmin).
package admin

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// caPasswordFlag is the CA password's file, needed only to approve on a
// stopped server (approval issues a certificate).
const caPasswordFlag = "ca-password-file"

// NewCmdAdmin returns the `imictl admin` group.
func NewCmdAdmin(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("admin", "Review registrations and administer the management server")
	cmd.Long = `Review registration, modification and cancellation requests, suspend and
resume servers, and follow change notifications and the audit log of the
management server.

The commands work on the management server of --data-dir (default
$IMICTL_DATA_DIR, else ./imictl-data): through its admin socket while it
runs, on its database directly while it is stopped. Who acted is recorded in
the audit log as admin:<your OS user>, or --reviewer NAME.`
	cmd.AddCommand(
		NewCmdRequests(f, nil),
		NewCmdApprove(f, nil),
		NewCmdReject(f, nil),
		NewCmdSuspend(f, nil),
		NewCmdResume(f, nil),
		NewCmdServers(f, nil),
		NewCmdNotifications(f, nil),
		NewCmdAudit(f, nil),
		NewCmdBackup(f, nil),
		NewCmdRestore(f, nil),
		NewCmdMigrate(f, nil),
	)
	return cmd
}

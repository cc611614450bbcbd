// Package ca implements `imictl ca`: the management server's certificate
// authority. `ca init` creates it and `ca root` prints its root; the other
// commands work on what it issued and revoked, through a running server's
// admin socket or, when the server is stopped, on its database directly
// (internal/mgmt/client.OpenAdmin). The CA password is asked for only when a
// command needs the CA key on a stopped server.
package ca

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// passwordFlag is the CA password's file: in this group every password is
// the CA's.
const passwordFlag = "password-file"

// NewCmdCA returns the `imictl ca` group.
func NewCmdCA(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("ca", "Run the management server's SM2 certificate authority")
	cmd.Long = `Run the management server's SM2 certificate authority: create it, print its
root, issue certificates from CSRs, revoke them, publish and print the CRL,
and list and export everything it issued.

The commands work on the management server of --data-dir (default
$IMICTL_DATA_DIR, else ./imictl-data): through its admin socket while it
runs, on its database directly while it is stopped. The CA password is asked
for (or read from --password-file) only when a command needs the CA key on a
stopped server.`
	cmd.AddCommand(
		NewCmdInit(f, nil),
		NewCmdRoot(f, nil),
		NewCmdSign(f, nil),
		NewCmdRevoke(f, nil),
		NewCmdCRL(f, nil),
		NewCmdList(f, nil),
		NewCmdExport(f, nil),
	)
	return cmd
}

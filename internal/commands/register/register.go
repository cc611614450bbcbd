// Package register implements `imictl register`: an IM server applies to
// the management server to be registered (submit), follows its application
// (status), and later applies to change (modify) or cancel its
// registration. Submit is unsigned (the CSR proves the key); status is
// signed with the CSR's key; modify and cancel are signed with the server's
// certificate. Every answer of a signed call is authenticated with the
// pinned root.
package register

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// NewCmdRegister returns the `imictl register` group.
func NewCmdRegister(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("register", "Register your IM server with the management server")
	cmd.Long = `Apply to register your IM server with the management server, follow the
application until an administrator decides, and later apply to change or
cancel the registration.

  1. imictl key gen / imictl csr create     your key and CSR
  2. imictl register submit                 the application (table 1 fields)
  3. imictl register status REQUEST_ID      pending (exit 5), approved (writes
                                            the certificate), or rejected
  4. imictl register modify / cancel        later, signed with the certificate

The management server's URL and the pinned root (imictl dir bootstrap) come
from --mgmt/--root flags, IMICTL_* variables or a context of the config file
(imictl config), like every signed call.`
	cmd.AddCommand(
		NewCmdSubmit(f, nil),
		NewCmdStatus(f, nil),
		NewCmdModify(f, nil),
		NewCmdCancel(f, nil),
	)
	return cmd
}

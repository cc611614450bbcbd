// Package csr implements `imictl csr`: create a certificate signing request
// that binds an SM2 key to an IM serverId, and inspect one (ours or
// OpenSSL's), verifying its self-signature.
package csr

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// NewCmdCSR returns the `imictl csr` group.
func NewCmdCSR(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("csr", "Create and inspect certificate signing requests")
	cmd.Long = `Create and inspect certificate signing requests (PKCS#10).

A request binds an SM2 key to an IM serverId: subject CN = serverId and a
URI SAN urn:imi:server:<serverId>. It is signed with SM2-with-SM3 and the
default SM2 id 1234567812345678; with OpenSSL, make one with
"openssl req -new -sm3 -sigopt distid:1234567812345678".`
	cmd.AddCommand(
		NewCmdCreate(f, nil),
		NewCmdInspect(f, nil),
	)
	return cmd
}

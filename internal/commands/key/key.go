// Package key implements `imictl key`: generate SM2 private keys, print their
// public halves and inspect them. It also exports ReadPrivateKey, the one way
// commands load a private key (asking for its password only when needed).
package key

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// NewCmdKey returns the `imictl key` group.
func NewCmdKey(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("key", "Generate and inspect SM2 private keys")
	cmd.Long = `Generate and inspect SM2 private keys.

Keys are written as PKCS#8 PEM, mode 0600, encrypted with a password by
default (PBES2: PBKDF2-HMAC-SHA256 with SM4-CBC, which OpenSSL 3 reads).
Commands that read a key accept imictl's own files, OpenSSL's
"genpkey -algorithm SM2" output (plain or encrypted) and SEC1
"EC PRIVATE KEY" files on the SM2 curve.`
	cmd.AddCommand(
		NewCmdGen(f, nil),
		NewCmdPub(f, nil),
		NewCmdInspect(f, nil),
	)
	return cmd
}

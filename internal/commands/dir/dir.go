// Package dir implements `imictl dir`: the management server's directory of
// registered IM servers as an IM server sees it. list and show are M1,
// signed as your server; cert is M2, checked against the pinned root; and
// bootstrap fetches that root and pins it only if its fingerprint is the
// one you were given.
package dir

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// NewCmdDir returns the `imictl dir` group.
func NewCmdDir(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("dir", "Query the directory of registered IM servers")
	cmd.Long = `Query the management server's directory of registered IM servers: list
them (M1), show one, fetch a server's certificate (M2), and bootstrap trust by
pinning the interconnection root.

list and show are signed as your registered server; their answers are
authenticated with the pinned root. The management URL, your identity and
the root come from flags, IMICTL_* variables or a context of the config file
(imictl config).`
	cmd.AddCommand(
		NewCmdList(f, nil),
		NewCmdShow(f, nil),
		NewCmdCert(f, nil),
		NewCmdBootstrap(f, nil),
	)
	return cmd
}

package mgmtutil

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/client"
)

// AdminFlags say which management server an administrator's command works
// on, and where the CA password comes from if the command needs the CA key
// on a stopped server.
type AdminFlags struct {
	DataDir      string
	PasswordFile string
	passwordFlag string
}

// AddAdminFlags adds --data-dir and the CA password file flag (named
// passwordFlag: "password-file" in `imictl ca`, where every password is the
// CA's, and "ca-password-file" elsewhere).
func AddAdminFlags(cmd *cobra.Command, a *AdminFlags, passwordFlag string) {
	a.passwordFlag = passwordFlag
	cmdutil.AddDataDirFlag(cmd, &a.DataDir)
	cmd.Flags().StringVar(&a.PasswordFile, passwordFlag, "",
		"read the CA password from the first line of `FILE`, if the CA key is needed and the server is stopped")
}

// Open returns the management server of the data directory: a running
// server through its admin socket, else its database directly (see
// client.OpenAdmin). The CA password is asked for only when an operation
// needs the CA key on a stopped server. Call done when finished.
func (a *AdminFlags) Open(ctx context.Context, f *cmdutil.Factory) (adm mgmt.Admin, done func(), err error) {
	opts := mgmt.LocalOptions{
		CAPassword: func() ([]byte, error) {
			return cmdutil.Password(f, cmdutil.PasswordOptions{File: a.PasswordFile, FileFlag: a.passwordFlag, Title: "CA password"})
		},
		Service: mgmt.Options{Now: f.Now},
	}
	adm, closer, err := client.OpenAdmin(ctx, cmdutil.DataDir(f, a.DataDir), opts)
	if err != nil {
		return nil, nil, Error(err)
	}
	return adm, func() { _ = closer.Close() }, nil
}

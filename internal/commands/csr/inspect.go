package csr

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// InspectOptions are the inputs of `imictl csr inspect`.
type InspectOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
	File   string
}

// NewCmdInspect returns `imictl csr inspect`. runF replaces the run step in
// tests.
func NewCmdInspect(f *cmdutil.Factory, runF func(*InspectOptions) error) *cobra.Command {
	opts := &InspectOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "inspect FILE|-",
		Short: "Show a certificate signing request and verify its signature",
		Long: `Show a certificate signing request (PEM or DER): its serverId, subject, SANs
and public key fingerprints. It verifies the self-signature (SM2-with-SM3,
SM2 id 1234567812345678) and the serverId binding (subject CN = serverId and
one URI SAN urn:imi:server:<serverId>), as the management server will.

When either fails the request is still shown, the problems are explained on
standard error, and the exit status is 4 (reason bad_signature, or
wrong_server_id when only the binding is wrong). The classic failure is a
request made by OpenSSL without -sigopt distid:1234567812345678: it is
signed with an empty SM2 id, and imictl says so.`,
		Example: `  imictl csr inspect server.csr
  openssl req -new -key server.key -sm3 -sigopt distid:1234567812345678 -subj /CN=srv1 | imictl csr inspect -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return inspectRun(opts)
		},
	}
	return cmd
}

func inspectRun(opts *InspectOptions) error {
	data, err := cmdutil.ReadInput(opts.IO, opts.File, cmdutil.MaxInputSize)
	if err != nil {
		return err
	}
	csr, err := pki.ParseCSR(data)
	if err != nil {
		return fmt.Errorf("%s: %w", key.DisplayName(opts.File), err)
	}
	info := describe(opts.File, csr)
	if err := output.Print(opts.IO.Out, opts.Format, info.view()); err != nil {
		return err
	}
	return info.err()
}

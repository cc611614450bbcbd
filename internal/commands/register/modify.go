package register

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/api"
)

// ModifyOptions are the inputs of `imictl register modify`.
type ModifyOptions struct {
	IO      *iostreams.IOStreams
	Format  output.Format
	Changes api.ServerChanges
	CSRFile string
}

// NewCmdModify returns `imictl register modify`. runF replaces the run step
// in tests.
func NewCmdModify(f *cmdutil.Factory, runF func(*ModifyOptions) error) *cobra.Command {
	opts := &ModifyOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "modify [--name NAME] [--address URL] ... [--csr FILE]",
		Short: "Apply to change your server's registration or rotate its key",
		Long: `Apply to change the registration of your server: give only the fields to
change (--type "" and --area "" clear those). The serverId never changes.
With --csr, a CSR for a new key of the same serverId, approval also issues a
certificate for the new key and revokes the current one as superseded; fetch
it with the new key, since the old certificate no longer counts:
  imictl register status ID --key new.key --server-id ID --cert-out new.crt
(without --cert, nor IMICTL_CERT or a context's cert).

The call is signed with your server's current certificate (identity flags,
IMICTL_* variables or a config context). It prints the request id; follow it
with "imictl register status".`,
		Example: `  imictl register modify --address https://im2.vrv.example.com --contact-mobile "+86 135-0000-2222"
  imictl register modify --csr new.csr -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			for _, fd := range fields {
				if cmd.Flags().Changed(fd.flag) {
					v, _ := cmd.Flags().GetString(fd.flag)
					*fd.change(&opts.Changes) = &v
				}
			}
			if opts.Changes.Empty() && opts.CSRFile == "" {
				return cmdutil.UsageError("nothing to change: pass the fields to change (--name, --address, ...) or --csr FILE for a new key")
			}
			if err := opts.Changes.Validate(); err != nil {
				return flagError(err)
			}
			if runF != nil {
				return runF(opts)
			}
			return modifyRun(f, cmd, opts)
		},
	}
	identity.AddFlags(cmd)
	addFieldFlags(cmd, nil)
	cmd.Flags().StringVar(&opts.CSRFile, "csr", "", "a CSR `FILE` for a new key of this serverId (key rotation)")
	return cmd
}

func modifyRun(f *cmdutil.Factory, cmd *cobra.Command, opts *ModifyOptions) error {
	m, err := mgmtutil.SignedPublic(f, cmd, identity.Needs{Cert: true})
	if err != nil {
		return err
	}
	req := api.ModifyRequest{ServerID: m.Identity.ServerID, Changes: opts.Changes}
	if opts.CSRFile != "" {
		data, err := cmdutil.ReadInput(opts.IO, opts.CSRFile, cmdutil.MaxInputSize)
		if err != nil {
			return err
		}
		if _, err := mgmtutil.CheckCSR(opts.CSRFile, data, req.ServerID); err != nil {
			return err
		}
		req.CSR = string(data)
	}
	id, err := m.Modify(cmd.Context(), req)
	if err != nil {
		return mgmtutil.Error(err)
	}
	return printRequestID(opts.IO, opts.Format, id, "")
}

// printRequestID prints the id of an application and, on standard error,
// how to follow it (with args, the flags that identify the applicant).
func printRequestID(ios *iostreams.IOStreams, format output.Format, id, args string) error {
	res := SubmitResult{RequestID: id}
	if err := output.Print(ios.Out, format, output.View{Data: res, Details: []output.Field{{Key: "Request id", Value: id}}}); err != nil {
		return err
	}
	fmt.Fprintf(ios.ErrOut, "Submitted; an administrator decides. Follow it with: imictl register status %s%s\n", id, args)
	return nil
}

package register

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/pki"
)

// SubmitOptions are the inputs of `imictl register submit`.
type SubmitOptions struct {
	IO      *iostreams.IOStreams
	Format  output.Format
	Request api.SubmitRequest // the table 1 fields; CSR is read from CSRFile
	CSRFile string
	Follow  Follow
}

// SubmitResult is the JSON form of `register submit -o json`.
type SubmitResult struct {
	RequestID string `json:"requestId"`
}

// NewCmdSubmit returns `imictl register submit`. runF replaces the run step
// in tests.
func NewCmdSubmit(f *cmdutil.Factory, runF func(*SubmitOptions) error) *cobra.Command {
	opts := &SubmitOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "submit --csr FILE --name NAME --address URL --contact-name NAME --contact-email ADDRESS --contact-mobile NUMBER --owner-id ID",
		Short: "Apply to register an IM server",
		Long: `Apply to register an IM server with the management server, with the fields of
table 1 of the standard and a CSR (imictl csr create) that binds your key to
the serverId. --server-id defaults to the one the CSR names. The call is not
signed: the CSR's signature proves you hold the key.

On a terminal, missing fields are asked for on one form; otherwise a missing
field is a usage error that names every missing flag. Each value is checked
as the management server will check it before anything is sent.

It prints the request id: follow the application with
  imictl register status REQUEST_ID --server-id ID --key FILE
With --key, the key is checked against the CSR (nothing is stored); with
--wait too, it follows the application until an administrator decides, as
register status --wait does.`,
		Example: `  imictl register submit --mgmt https://mgmt.example.com --csr server.csr --name "VRV IM" \
      --address https://im.vrv.example.com --contact-name "Li Lei" --contact-email ops@vrv.example.com \
      --contact-mobile "+86 135-0000-1111" --owner-id vrv -o json
  imictl register submit --csr server.csr ... --key server.key --wait --cert-out server.crt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if err := opts.Follow.check(); err != nil {
				return err
			}
			if !opts.Follow.Wait && opts.Follow.CertOut != "" {
				return cmdutil.UsageError("--cert-out needs --wait (or use register status --cert-out later)")
			}
			if runF != nil {
				return runF(opts)
			}
			return submitRun(f, cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Request.ServerID, identity.FlagServerID, "", "the serverId `ID` to register (default: the one the CSR names; $"+identity.EnvServerID+")")
	fl.StringVar(&opts.CSRFile, "csr", "", "the certificate signing request `FILE` (imictl csr create)")
	addFieldFlags(cmd, &opts.Request)
	fl.String(identity.FlagMgmt, "", "management server base `URL` ($"+identity.EnvMgmt+")")
	fl.String(identity.FlagKey, "", "the CSR's private key `FILE`, to check it and sign --wait's status calls (not sent, not stored; $"+identity.EnvKey+")")
	fl.String(identity.FlagPasswordFile, "", "read the key's password from `FILE` ($"+identity.EnvPasswordFile+")")
	fl.String(identity.FlagRoot, "", "the pinned root certificate `FILE`, to authenticate --wait's answers ($"+identity.EnvRoot+")")
	fl.String(identity.FlagContext, "", "use the config file's context `NAME` for --mgmt and --root ($"+identity.EnvContext+")")
	addFollowFlags(cmd, &opts.Follow)
	return cmd
}

func submitRun(f *cmdutil.Factory, cmd *cobra.Command, opts *SubmitOptions) error {
	req := &opts.Request
	settings, err := identity.Resolve(f, cmd)
	if err != nil {
		return err
	}
	if opts.Follow.Wait && settings.Key == "" {
		return cmdutil.UsageError("--wait follows the application with calls signed with the CSR's key: add --%s FILE", identity.FlagKey)
	}
	if opts.Follow.Wait && settings.Root == "" {
		return cmdutil.UsageError("--wait authenticates the answers with the pinned root: pass --%s FILE (imictl dir bootstrap fetches it) or set %s", identity.FlagRoot, identity.EnvRoot)
	}
	req.ServerID = settings.ServerID
	if req.ServerID != "" {
		if err := pki.ValidateServerID(req.ServerID); err != nil {
			return cmdutil.UsageError("invalid --%s: %v", identity.FlagServerID, err)
		}
	}
	var csr []byte
	if opts.CSRFile != "" {
		if csr, err = readCSR(f, opts.CSRFile, req); err != nil {
			return err
		}
	}
	mgmtURL := settings.Mgmt
	if err := cmdutil.FillMissing(f, submitForm(f, req, &opts.CSRFile, &mgmtURL)); err != nil {
		return err
	}
	if csr == nil {
		if csr, err = readCSR(f, opts.CSRFile, req); err != nil {
			return err
		}
	}
	req.CSR = string(csr)
	if err := req.Validate(); err != nil {
		return flagError(err)
	}
	if err := cmd.Flags().Set(identity.FlagMgmt, mgmtURL); err != nil {
		return err
	}
	m, err := mgmtutil.UnsignedPublic(f, cmd, true)
	if err != nil {
		return err
	}
	var signer *client.Public
	if settings.Key != "" {
		if signer, err = applicantClient(f, m, settings.Key, settings.PasswordFile, csr, req.ServerID); err != nil {
			return err
		}
	}
	ctx := cmd.Context()
	id, err := m.Submit(ctx, *req)
	if err != nil {
		return mgmtutil.Error(err)
	}
	if opts.Follow.Wait {
		fmt.Fprintf(opts.IO.ErrOut, "Submitted as %s; waiting for an administrator's decision (at most %s).\n", id, opts.Follow.Timeout)
		return opts.Follow.follow(ctx, opts.IO, opts.Format, &mgmtutil.Mgmt{Public: signer, URL: m.URL, Root: m.Root}, id)
	}
	keyArg := "FILE"
	if settings.Key != "" {
		keyArg = settings.Key
	}
	return printRequestID(opts.IO, opts.Format, id, fmt.Sprintf(" --server-id %s --key %s", req.ServerID, keyArg))
}

// submitForm lists what submit cannot do without, for cmdutil.FillMissing:
// given values are checked, missing ones asked for on a terminal.
func submitForm(f *cmdutil.Factory, req *api.SubmitRequest, csrFile, mgmtURL *string) []prompt.Field {
	form := []prompt.Field{{Flag: identity.FlagServerID, Title: "Server id", Value: &req.ServerID, Validate: pki.ValidateServerID}}
	for _, fd := range fields {
		if fd.required {
			form = append(form, prompt.Field{Flag: fd.flag, Title: fd.title, Value: fd.submit(req), Validate: fd.validate})
		}
	}
	return append(form,
		prompt.Field{Flag: "csr", Title: "CSR file", Value: csrFile, Validate: func(path string) error {
			_, err := cmdutil.ReadInput(f.IOStreams, path, cmdutil.MaxInputSize)
			return err
		}},
		prompt.Field{Flag: identity.FlagMgmt, Title: "Management server URL", Value: mgmtURL, Validate: func(u string) error {
			if _, err := identity.NormalizeMgmtURL(u); err != nil {
				return errors.New("want the management server's base URL, like https://mgmt.example.com or http://127.0.0.1:8440")
			}
			return nil
		}})
}

// readCSR reads and checks the CSR; it names the serverId req gives, or
// sets req's serverId when none was given.
func readCSR(f *cmdutil.Factory, path string, req *api.SubmitRequest) ([]byte, error) {
	data, err := cmdutil.ReadInput(f.IOStreams, path, cmdutil.MaxInputSize)
	if err != nil {
		return nil, err
	}
	id, err := mgmtutil.CheckCSR(path, data, req.ServerID)
	if err != nil {
		return nil, err
	}
	req.ServerID = id
	return data, nil
}

// applicantClient reads the CSR's key, refuses any other key, and returns
// a client that signs status calls with it.
func applicantClient(f *cmdutil.Factory, m *mgmtutil.Mgmt, keyFile, passwordFile string, csrPEM []byte, serverID string) (*client.Public, error) {
	k, _, err := key.ReadPrivateKey(f, keyFile, passwordFile)
	if err != nil {
		return nil, err
	}
	csr, err := pki.ParseCSR(csrPEM)
	if err != nil {
		return nil, err
	}
	if !k.PublicKey.Equal(csr.PublicKey) {
		return nil, cmdutil.UsageError("--key %s is not the key of the CSR: status calls must be signed with the key the CSR was made with; pass that key, or make the CSR again with this one", keyFile)
	}
	return client.NewPublic(client.PublicOptions{BaseURL: m.URL, Root: m.Root, Key: k, ServerID: serverID})
}

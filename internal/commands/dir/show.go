package dir

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/pki"
)

// ShowOptions are the inputs of `imictl dir show`.
type ShowOptions struct {
	IO       *iostreams.IOStreams
	Format   output.Format
	ServerID string
}

// ShowResult is the JSON form of `dir show -o json`: the directory entry
// and a summary of the server's current certificate.
type ShowResult struct {
	Entry
	Certificate CertSummary `json:"certificate"`
}

// CertSummary identifies a certificate.
type CertSummary struct {
	Serial       string           `json:"serial"`
	NotBefore    time.Time        `json:"notBefore"`
	NotAfter     time.Time        `json:"notAfter"`
	Fingerprints key.Fingerprints `json:"fingerprints"`
}

// NewCmdShow returns `imictl dir show`. runF replaces the run step in tests.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "show SERVERID",
		Short: "Show one registered IM server and its certificate",
		Long: `Show one server of the directory (M1, signed as your server) with its
current certificate (M2, checked against the pinned root: its chain and its
serverId binding; revocation is the CRL's: see imictl ca crl or cert verify).
An unknown serverId exits 7.`,
		Example: `  imictl dir show vrv_linkdood
  imictl dir show vrv_linkdood -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.ServerID = args[0]
			if err := pki.ValidateServerID(opts.ServerID); err != nil {
				return cmdutil.UsageError("invalid serverId %q: %v", opts.ServerID, err)
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(f, cmd, opts)
		},
	}
	identity.AddFlags(cmd)
	return cmd
}

func showRun(f *cmdutil.Factory, cmd *cobra.Command, opts *ShowOptions) error {
	m, err := mgmtutil.SignedPublic(f, cmd, identity.Needs{Cert: true})
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	resp, err := m.Servers(ctx, api.ServersQuery{ServerIDs: []string{opts.ServerID}})
	if err != nil {
		return mgmtutil.Error(err)
	}
	if len(resp.Servers) == 0 {
		return cmdutil.NotFoundError("the directory has no server %q: check the serverId, or list them with `imictl dir list`", opts.ServerID)
	}
	cert, err := m.ServerCert(ctx, opts.ServerID)
	if err != nil {
		return mgmtutil.Error(err)
	}
	res := ShowResult{Entry: newEntry(resp.Servers[0]), Certificate: CertSummary{
		Serial: pki.SerialHex(cert.SerialNumber), NotBefore: cert.NotBefore.UTC(), NotAfter: cert.NotAfter.UTC(),
		Fingerprints: key.FingerprintsOf(cert.Raw),
	}}
	fields := append(res.fields(),
		output.Field{Key: "Certificate", Value: res.Certificate.Serial},
		output.Field{Key: "Not after", Value: res.Certificate.NotAfter.Format(time.RFC3339)},
		output.Field{Key: "SHA-256", Value: res.Certificate.Fingerprints.SHA256})
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: res, Details: fields})
}

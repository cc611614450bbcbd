package dir

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// CertOptions are the inputs of `imictl dir cert`.
type CertOptions struct {
	IO       *iostreams.IOStreams
	Format   output.Format
	ServerID string
	Output   mgmtutil.PEMFlags
}

// CertResult is the JSON form of `dir cert -o json`.
type CertResult struct {
	ServerID string `json:"serverId"`
	CertSummary
	Subject  string `json:"subject"`
	Verified bool   `json:"verified"` // chained to the pinned root and bound to serverId
	File     string `json:"file,omitempty"`
	PEM      string `json:"pem"`
}

// NewCmdCert returns `imictl dir cert`. runF replaces the run step in tests.
func NewCmdCert(f *cmdutil.Factory, runF func(*CertOptions) error) *cobra.Command {
	opts := &CertOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "cert SERVERID",
		Short: "Fetch a registered server's certificate (M2)",
		Long: `Fetch the current certificate of a registered server (interface M2, which
needs no identity). When a root is configured (--root, IMICTL_ROOT or the
config context) the certificate must chain to it and bind SERVERID, else the
command fails with exit 4 and the reason; without one it is fetched
unchecked, and says so. Revocation is not checked here (imictl cert verify
--crl does).

By default the PEM goes to standard output; --out FILE writes it to FILE and
describes it.`,
		Example: `  imictl dir cert vrv_linkdood --mgmt https://mgmt.example.com --root root.crt --out vrv.crt
  imictl dir cert center-im -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ServerID = args[0]
			if err := pki.ValidateServerID(opts.ServerID); err != nil {
				return cmdutil.UsageError("invalid serverId %q: %v", opts.ServerID, err)
			}
			var err error
			if opts.Format, err = opts.Output.Format(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return certRun(f, cmd, opts)
		},
	}
	cmd.Flags().String(identity.FlagMgmt, "", "management server base `URL` ($"+identity.EnvMgmt+")")
	cmd.Flags().String(identity.FlagRoot, "", "check the certificate against this root certificate `FILE` ($"+identity.EnvRoot+")")
	cmd.Flags().String(identity.FlagContext, "", "use the config file's context `NAME` ($"+identity.EnvContext+")")
	mgmtutil.AddPEMFlags(cmd, &opts.Output, "certificate")
	return cmd
}

func certRun(f *cmdutil.Factory, cmd *cobra.Command, opts *CertOptions) error {
	m, err := mgmtutil.UnsignedPublic(f, cmd, true)
	if err != nil {
		return err
	}
	cert, err := m.ServerCert(cmd.Context(), opts.ServerID)
	if err != nil {
		return mgmtutil.Error(err)
	}
	if m.Root == nil {
		fmt.Fprintf(opts.IO.ErrOut, "Warning: not verified (no root configured): pass --%s FILE to check it.\n", identity.FlagRoot)
	}
	res := CertResult{
		ServerID: opts.ServerID,
		CertSummary: CertSummary{Serial: pki.SerialHex(cert.SerialNumber), NotBefore: cert.NotBefore.UTC(), NotAfter: cert.NotAfter.UTC(),
			Fingerprints: key.FingerprintsOf(cert.Raw)},
		Subject: cert.Subject.String(), Verified: m.Root != nil, File: opts.Output.Out,
		PEM: string(pki.EncodeCertificatePEM(cert.Raw)),
	}
	fields := []output.Field{
		{Key: "Server id", Value: res.ServerID},
		{Key: "Subject", Value: res.Subject},
		{Key: "Serial", Value: res.Serial},
		{Key: "Not before", Value: res.NotBefore.Format(time.RFC3339)},
		{Key: "Not after", Value: res.NotAfter.Format(time.RFC3339)},
		{Key: "SHA-256", Value: res.Fingerprints.SHA256},
		{Key: "Verified", Value: fmt.Sprint(res.Verified)},
	}
	return opts.Output.Print(opts.IO, opts.Format, []byte(res.PEM), output.View{Data: res, Details: fields})
}

package ca

import (
	"encoding/pem"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// formatDER is the format `ca crl` adds to table, json, yaml and text: the
// CRL itself in DER.
const formatDER output.Format = "der"

// CRLOptions are the inputs of `imictl ca crl`.
type CRLOptions struct {
	IO         *iostreams.IOStreams
	Format     output.Format
	Out        string
	Force      bool
	Regenerate bool
	Reviewer   string
	Admin      mgmtutil.AdminFlags
}

// CRLInfo is the JSON form of `ca crl -o json`.
type CRLInfo struct {
	Number     uint64     `json:"number"`
	Issuer     string     `json:"issuer"`
	ThisUpdate time.Time  `json:"thisUpdate"`
	NextUpdate time.Time  `json:"nextUpdate"`
	Revoked    []CRLEntry `json:"revoked"`
	PEM        string     `json:"pem"`
}

// CRLEntry is one revoked certificate of the CRL.
type CRLEntry struct {
	Serial    string    `json:"serial"`
	RevokedAt time.Time `json:"revokedAt"`
	Reason    string    `json:"reason"`
}

// NewCmdCRL returns `imictl ca crl`. runF replaces the run step in tests.
func NewCmdCRL(f *cmdutil.Factory, runF func(*CRLOptions) error) *cobra.Command {
	opts := &CRLOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "crl",
		Short: "Print the current CRL, or publish a new one",
		Long: `Print the current certificate revocation list, the one the management server
serves at /sns/restApi/crl: -o pem (the default), der, text (for people), or
table, json and yaml (its entries).

--out FILE writes it to FILE instead, as PEM or, with -o der, DER; with -o
text, table, json or yaml the PEM goes to FILE and standard output describes
it. --regenerate signs and publishes a new CRL first (the server also does so
on every revocation and before the current one expires).`,
		Example: `  imictl ca crl -o text
  imictl ca crl --out crl.der -o der
  imictl ca crl --regenerate -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if opts.Out == cmdutil.Stdio {
				opts.Out = ""
			}
			if opts.Out != "" {
				if err := key.RefuseExisting(opts.Out, opts.Force); err != nil {
					return cmdutil.UsageError("%v", err)
				}
			} else if opts.Format == formatDER && opts.IO.IsStdoutTTY() {
				return cmdutil.UsageError("-o der is binary: write it to a file with --out FILE, or pipe it")
			}
			if runF != nil {
				return runF(opts)
			}
			return crlRun(f, cmd, opts)
		},
	}
	cmdutil.SetOutputFormats(cmd, output.PEM, formatDER, output.Text)
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the CRL to `FILE`")
	cmdutil.AddForceFlag(cmd, &opts.Force)
	cmd.Flags().BoolVar(&opts.Regenerate, "regenerate", false, "sign and publish a new CRL first")
	mgmtutil.AddReviewerFlag(cmd, &opts.Reviewer)
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, passwordFlag)
	return cmd
}

func crlRun(f *cmdutil.Factory, cmd *cobra.Command, opts *CRLOptions) error {
	ctx := cmd.Context()
	adm, done, err := opts.Admin.Open(ctx, f)
	if err != nil {
		return err
	}
	defer done()
	var rec store.CRL
	if opts.Regenerate {
		rec, err = adm.RegenerateCRL(ctx, mgmtutil.Actor(f, opts.Reviewer))
	} else if rec, err = adm.CRL(ctx); err != nil {
		err = fmt.Errorf("%w: publish one with `imictl ca crl --regenerate` (a starting server publishes one too)", err)
	}
	if err != nil {
		return mgmtutil.Error(err)
	}
	info, err := describeCRL(rec)
	if err != nil {
		return err
	}
	data := []byte(info.PEM)
	if opts.Format == formatDER {
		data = rec.DER
	}
	if opts.Out != "" {
		if err := cmdutil.WriteFileAtomic(opts.Out, data, 0o644, opts.Force); err != nil {
			return err
		}
	}
	switch {
	case opts.Format == output.PEM || opts.Format == formatDER:
		if opts.Out != "" {
			fmt.Fprintf(opts.IO.ErrOut, "Wrote CRL number %d (%d revoked) to %s\n", info.Number, len(info.Revoked), opts.Out)
			return nil
		}
		_, err := opts.IO.Out.Write(data)
		return err
	case opts.Format == output.Text:
		return writeCRLText(opts.IO.Out, info)
	}
	rows := make([][]string, len(info.Revoked))
	for i, e := range info.Revoked {
		rows[i] = []string{e.Serial, stamp(e.RevokedAt), e.Reason}
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: info, Headers: []string{"serial", "revokedAt", "reason"}, Rows: rows})
}

func describeCRL(rec store.CRL) (CRLInfo, error) {
	crl, err := pki.ParseCRL(rec.DER)
	if err != nil {
		return CRLInfo{}, fmt.Errorf("the stored CRL number %d: %w", rec.Number, err)
	}
	info := CRLInfo{
		Number:     rec.Number,
		Issuer:     crl.Issuer.String(),
		ThisUpdate: crl.ThisUpdate.UTC(),
		NextUpdate: crl.NextUpdate.UTC(),
		Revoked:    make([]CRLEntry, len(crl.RevokedCertificateEntries)),
		PEM:        string(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: rec.DER})),
	}
	for i, e := range crl.RevokedCertificateEntries {
		info.Revoked[i] = CRLEntry{Serial: pki.SerialHex(e.SerialNumber), RevokedAt: e.RevocationTime.UTC(), Reason: pki.RevocationReasonName(e.ReasonCode)}
	}
	return info, nil
}

// writeCRLText describes the CRL for people, then its entries one per
// line.
func writeCRLText(w io.Writer, info CRLInfo) error {
	err := output.Print(w, output.Table, output.View{Details: []output.Field{
		{Key: "CRL number", Value: fmt.Sprint(info.Number)},
		{Key: "Issuer", Value: info.Issuer},
		{Key: "This update", Value: stamp(info.ThisUpdate)},
		{Key: "Next update", Value: stamp(info.NextUpdate)},
		{Key: "Revoked", Value: fmt.Sprint(len(info.Revoked))},
	}})
	for _, e := range info.Revoked {
		if err == nil {
			_, err = fmt.Fprintf(w, "  %s   %s   %s\n", e.Serial, stamp(e.RevokedAt), e.Reason)
		}
	}
	return err
}

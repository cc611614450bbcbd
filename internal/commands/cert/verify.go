package cert

import (
	"errors"
	"fmt"
	"time"

	"github.com/emmansun/gmsm/smx509"
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// VerifyOptions are the inputs of `imictl cert verify`.
type VerifyOptions struct {
	IO            *iostreams.IOStreams
	Format        output.Format
	Now           func() time.Time
	File          string
	Root          string
	Intermediates string
	CRL           string
	ServerID      string
}

// VerifyResult is the JSON form of `cert verify -o json`, printed whether
// the certificate is valid or not.
type VerifyResult struct {
	Valid      bool      `json:"valid"`
	Reason     string    `json:"reason,omitempty"` // when invalid: expired, not_yet_valid, unknown_authority, ...
	Error      string    `json:"error,omitempty"`  // when invalid: the explanation
	Subject    string    `json:"subject"`
	Serial     string    `json:"serial"`
	ServerID   string    `json:"serverId"` // the serverId the certificate binds, "" if none
	NotAfter   time.Time `json:"notAfter"`
	CRLChecked bool      `json:"crlChecked"` // the serial was looked up in a valid CRL
}

// NewCmdVerify returns `imictl cert verify`. runF replaces the run step in
// tests.
func NewCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{IO: f.IOStreams, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "verify FILE|- --root FILE",
		Short: "Verify an IM server certificate as peers do",
		Long: `Verify an IM server certificate: it must chain to a root of --root (through
the intermediates of --intermediates, or those that follow the leaf in
FILE), be within its validity period, allow digitalSignature and serverAuth
or clientAuth, bind a serverId (the one of --server-id, if given), and,
with --crl, not be listed in that CRL (which its issuer must have signed and
which must be current).

Exit status 0 when valid. Otherwise 4, and the reason (also in -o json) is
one of: expired, not_yet_valid, unknown_authority, bad_signature,
bad_key_usage, wrong_server_id, revoked, crl_invalid, malformed.`,
		Example: `  imictl cert verify server.crt --root root.crt
  imictl cert verify server.crt --root root.crt --crl crl.der --server-id vrv_linkdood
  imictl cert verify chain.pem --root root.crt -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.File = args[0]
			if opts.ServerID != "" {
				if err := pki.ValidateServerID(opts.ServerID); err != nil {
					return cmdutil.UsageError("invalid --server-id: %v", err)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return verifyRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Root, "root", "", "trusted root certificate(s), PEM or DER `FILE`")
	cmd.Flags().StringVar(&opts.Intermediates, "intermediates", "", "intermediate CA certificates, a PEM bundle `FILE`")
	cmd.Flags().StringVar(&opts.CRL, "crl", "", "check revocation against this CRL `FILE` (PEM or DER)")
	cmd.Flags().StringVar(&opts.ServerID, "server-id", "", "the serverId `ID` the certificate must bind")
	_ = cmd.MarkFlagRequired("root")
	return cmd
}

func verifyRun(opts *VerifyOptions) error {
	certs, err := readCerts(opts.IO, opts.File)
	if err != nil {
		return err
	}
	leaf := certs[0]
	vo := pki.VerifyOptions{ServerID: opts.ServerID, Now: opts.Now()}
	if vo.Roots, err = readPool(opts.IO, "root", opts.Root); err != nil {
		return err
	}
	vo.Intermediates = smx509.NewCertPool()
	for _, c := range certs[1:] {
		vo.Intermediates.AddCert(c)
	}
	if opts.Intermediates != "" {
		extra, err := readCerts(opts.IO, opts.Intermediates)
		if err != nil {
			return fmt.Errorf("--intermediates: %w", err)
		}
		for _, c := range extra {
			vo.Intermediates.AddCert(c)
		}
	}
	if opts.CRL != "" {
		data, err := cmdutil.ReadInput(opts.IO, opts.CRL, cmdutil.MaxInputSize)
		if err != nil {
			return fmt.Errorf("--crl: %w", err)
		}
		if vo.CRL, err = pki.ParseCRL(data); err != nil {
			return fmt.Errorf("--crl %s: %w", key.DisplayName(opts.CRL), err)
		}
	}

	res := VerifyResult{
		Valid:    true,
		Subject:  leaf.Subject.String(),
		Serial:   pki.SerialHex(leaf.SerialNumber),
		NotAfter: leaf.NotAfter.UTC(),
	}
	res.ServerID, _ = pki.ServerIDFromCertificate(leaf)
	verr := pki.VerifyCertificate(leaf, vo)
	var ce *pki.CertError
	switch {
	case errors.As(verr, &ce):
		res.Valid, res.Reason, res.Error = false, string(ce.Reason), ce.Err.Error()
		verr = cmdutil.AuthError(res.Reason, ce.Err)
	case verr != nil:
		return verr
	}
	// Revocation is the last check: it ran if everything else passed.
	res.CRLChecked = vo.CRL != nil && (res.Valid || res.Reason == string(pki.ReasonRevoked))
	if err := output.Print(opts.IO.Out, opts.Format, res.view(vo.CRL != nil)); err != nil {
		return err
	}
	return verr
}

func (r VerifyResult) view(crlGiven bool) output.View {
	result := "valid"
	if !r.Valid {
		result = "INVALID: " + r.Reason
	}
	revocation := "not checked (no --crl)"
	switch {
	case r.CRLChecked:
		revocation = "checked against the CRL"
	case crlGiven:
		revocation = "not checked"
	}
	return output.View{Data: r, Details: []output.Field{
		{Key: "Subject", Value: r.Subject},
		{Key: "Serial", Value: r.Serial},
		{Key: "Server id", Value: orNone(r.ServerID)},
		{Key: "Not after", Value: r.NotAfter.Format(time.RFC3339)},
		{Key: "Revocation", Value: revocation},
		{Key: "Result", Value: result},
	}}
}

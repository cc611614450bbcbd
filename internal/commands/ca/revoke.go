package ca

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// RevokeOptions are the inputs of `imictl ca revoke`.
type RevokeOptions struct {
	IO       *iostreams.IOStreams
	Format   output.Format
	Now      func() time.Time
	Serial   string
	Reason   int // RFC 5280 code
	Yes      bool
	Reviewer string
	Admin    mgmtutil.AdminFlags
}

// RevokeResult is the JSON form of `ca revoke -o json`: the revoked
// certificate and the number of the CRL that lists it.
type RevokeResult struct {
	Cert
	CRLNumber uint64 `json:"crlNumber"`
}

// NewCmdRevoke returns `imictl ca revoke`. runF replaces the run step in
// tests.
func NewCmdRevoke(f *cmdutil.Factory, runF func(*RevokeOptions) error) *cobra.Command {
	opts := &RevokeOptions{IO: f.IOStreams, Now: f.Now}
	var reason string
	cmd := &cobra.Command{
		Use:   "revoke SERIAL --reason REASON",
		Short: "Revoke a certificate and publish a new CRL",
		Long: `Revoke the certificate with serial SERIAL and publish a new CRL at once.
Revocation cannot be undone. It asks for confirmation on a terminal;
elsewhere pass --yes.

REASON is an RFC 5280 reason: ` + strings.Join(reasonNames(), ", ") + `
(or its code).

The server's registration is left alone: to stop a server at once, before
relying servers fetch the new CRL, suspend it too (imictl admin suspend).
To replace a server's key, have it apply with "register modify --csr": the
old certificate is revoked as superseded when the new one is issued.`,
		Example: `  imictl ca revoke 8f3a61c2d0e94b7a8c1d2e3f40516273 --reason keyCompromise
  imictl ca revoke 8f3a61c2d0e94b7a8c1d2e3f40516273 --reason cessationOfOperation --yes -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			var err error
			if opts.Serial, err = checkSerial(args[0]); err != nil {
				return err
			}
			if opts.Reason, err = pki.ParseRevocationReason(reason); err != nil {
				return cmdutil.UsageError("invalid --reason %q: want one of %s", reason, strings.Join(reasonNames(), ", "))
			}
			if runF != nil {
				return runF(opts)
			}
			return revokeRun(f, cmd, opts)
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "RFC 5280 `REASON`, e.g. keyCompromise, superseded, cessationOfOperation")
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	mgmtutil.AddReviewerFlag(cmd, &opts.Reviewer)
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, passwordFlag)
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

func revokeRun(f *cmdutil.Factory, cmd *cobra.Command, opts *RevokeOptions) error {
	ctx := cmd.Context()
	adm, done, err := opts.Admin.Open(ctx, f)
	if err != nil {
		return err
	}
	defer done()
	cur, err := adm.Certificate(ctx, opts.Serial)
	if err != nil {
		return mgmtutil.Error(err)
	}
	if cur.Status == store.CertRevoked {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailure, Reason: "already_revoked",
			Err: fmt.Errorf("certificate %s was already revoked on %s (%s); nothing was changed", cur.Serial, stamp(cur.RevokedAt), pki.RevocationReasonName(cur.RevocationReason))}
	}
	question := fmt.Sprintf("Revoke certificate %s of %s (%s)? This cannot be undone", cur.Serial, cur.ServerID, pki.RevocationReasonName(opts.Reason))
	if err := cmdutil.ConfirmDestructive(f, opts.Yes, question); err != nil {
		return err
	}
	rec, err := adm.Revoke(ctx, opts.Serial, opts.Reason, mgmtutil.Actor(f, opts.Reviewer))
	if err != nil {
		return mgmtutil.Error(err)
	}
	crl, err := adm.CRL(ctx)
	if err != nil {
		return mgmtutil.Error(err)
	}
	res := RevokeResult{Cert: withPEM(rec, opts.Now()), CRLNumber: crl.Number}
	v := res.Cert.view()
	v.Data = res
	v.Details = append(v.Details, output.Field{Key: "CRL number", Value: fmt.Sprint(res.CRLNumber)})
	return output.Print(opts.IO.Out, opts.Format, v)
}

// checkSerial is a usage error for a serial that is not hex; it returns
// the serial in the form the CA prints.
func checkSerial(s string) (string, error) {
	n, err := pki.ParseSerial(s)
	if err != nil {
		return "", cmdutil.UsageError("%v; copy the serial from `imictl ca list`", err)
	}
	return pki.SerialHex(n), nil
}

// reasonNames are the accepted --reason names, in code order.
func reasonNames() []string {
	names := make([]string, 0, len(pki.RevocationReasons))
	for name := range pki.RevocationReasons {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return pki.RevocationReasons[a] - pki.RevocationReasons[b] })
	return names
}

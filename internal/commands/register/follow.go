package register

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emmansun/gmsm/smx509"
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/pki"
)

// StatusResult is the JSON form of `register status -o json` (and of
// `register submit --wait`).
type StatusResult struct {
	RequestID    string      `json:"requestId"`
	ServerID     string      `json:"serverId"`
	Kind         string      `json:"kind"`   // submit, modify or cancel
	Status       string      `json:"status"` // pending, approved or rejected
	StatusReason string      `json:"statusReason,omitempty"`
	Certificate  *IssuedCert `json:"certificate,omitempty"` // once an approval issued one
}

// IssuedCert is the certificate an approval issued.
type IssuedCert struct {
	Serial       string           `json:"serial"`
	NotBefore    time.Time        `json:"notBefore"`
	NotAfter     time.Time        `json:"notAfter"`
	Fingerprints key.Fingerprints `json:"fingerprints"`
	File         string           `json:"file,omitempty"` // where --cert-out wrote it
	PEM          string           `json:"pem"`
}

// Follow are the flags that follow an application until it is decided.
type Follow struct {
	Wait     bool
	Timeout  time.Duration
	Interval time.Duration
	CertOut  string
	Force    bool
}

func addFollowFlags(cmd *cobra.Command, fl *Follow) {
	cmd.Flags().BoolVar(&fl.Wait, "wait", false, "wait until an administrator decides (exit 5 if still pending after --timeout)")
	cmd.Flags().DurationVar(&fl.Timeout, "timeout", 10*time.Minute, "with --wait, give up after `DURATION`")
	cmd.Flags().DurationVar(&fl.Interval, "interval", 2*time.Second, "with --wait, ask every `DURATION`")
	cmd.Flags().StringVar(&fl.CertOut, "cert-out", "", "once approved, write the issued certificate to `FILE`")
	cmdutil.AddForceFlag(cmd, &fl.Force)
}

// check validates the flags before any work.
func (fl *Follow) check() error {
	if fl.Wait && (fl.Timeout <= 0 || fl.Interval <= 0) {
		return cmdutil.UsageError("--timeout and --interval must be positive")
	}
	if err := key.RefuseExisting(fl.CertOut, fl.Force); err != nil {
		return cmdutil.UsageError("--cert-out: %v", err)
	}
	return nil
}

// follow asks where requestID stands (until it is decided, with --wait),
// writes the certificate an approval issued to --cert-out, prints the
// result and returns the error that gives the exit code: 5 while pending,
// 1 with reason "rejected" once rejected.
func (fl *Follow) follow(ctx context.Context, ios *iostreams.IOStreams, format output.Format, m *mgmtutil.Mgmt, requestID string) error {
	var st api.StatusResponse
	var err error
	if fl.Wait {
		wctx, cancel := context.WithTimeout(ctx, fl.Timeout)
		st, err = m.WaitDecided(wctx, requestID, fl.Interval)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && st.Status == api.RequestPending && ctx.Err() == nil {
			err = nil // still pending: reported below
		}
	} else {
		st, err = m.Status(ctx, requestID)
	}
	if err != nil {
		return mgmtutil.Error(err)
	}
	res := StatusResult{RequestID: st.RequestID, ServerID: st.ServerID, Kind: st.Kind, Status: st.Status, StatusReason: st.StatusReason}
	if st.ServerCert != "" {
		if res.Certificate, err = fl.certificate(st, m.Root); err != nil {
			return err
		}
	} else if fl.CertOut != "" && st.Status == api.RequestApproved {
		fmt.Fprintf(ios.ErrOut, "This %s request issued no certificate: nothing written to %s.\n", st.Kind, fl.CertOut)
	}
	if err := output.Print(ios.Out, format, res.view()); err != nil {
		return err
	}
	switch st.Status {
	case api.RequestPending:
		how := "run this again later, or pass --wait"
		if fl.Wait {
			how = fmt.Sprintf("still undecided after %s; run this again later", fl.Timeout)
		}
		return &cmdutil.ExitError{Code: cmdutil.ExitPending, Reason: "pending", Err: fmt.Errorf("request %s waits for an administrator's decision: %s", requestID, how)}
	case api.RequestRejected:
		return &cmdutil.ExitError{Code: cmdutil.ExitFailure, Reason: "rejected", Err: fmt.Errorf("request %s was rejected: %s", requestID, orNone(st.StatusReason))}
	}
	return nil
}

// certificate checks the issued certificate (it chains to the pinned root
// and names the applicant's serverId) and writes it to --cert-out.
func (fl *Follow) certificate(st api.StatusResponse, root *smx509.Certificate) (*IssuedCert, error) {
	cert, err := pki.ParseCertificatePEM([]byte(st.ServerCert))
	if err != nil {
		return nil, fmt.Errorf("the certificate the management server sent: %w", err)
	}
	roots := smx509.NewCertPool()
	roots.AddCert(root)
	if err := pki.VerifyCertificate(cert, pki.VerifyOptions{Roots: roots, ServerID: st.ServerID}); err != nil {
		var ce *pki.CertError
		reason := ""
		if errors.As(err, &ce) {
			reason = string(ce.Reason)
		}
		return nil, cmdutil.AuthError(reason, fmt.Errorf("the certificate issued for request %s does not verify with the pinned root: %w", st.RequestID, err))
	}
	ic := &IssuedCert{
		Serial: pki.SerialHex(cert.SerialNumber), NotBefore: cert.NotBefore.UTC(), NotAfter: cert.NotAfter.UTC(),
		Fingerprints: key.FingerprintsOf(cert.Raw), PEM: string(pki.EncodeCertificatePEM(cert.Raw)),
	}
	if fl.CertOut != "" {
		if err := cmdutil.WriteFileAtomic(fl.CertOut, []byte(ic.PEM), 0o644, fl.Force); err != nil {
			return nil, err
		}
		ic.File = fl.CertOut
	}
	return ic, nil
}

func (r StatusResult) view() output.View {
	fields := []output.Field{
		{Key: "Request id", Value: r.RequestID},
		{Key: "Server id", Value: r.ServerID},
		{Key: "Kind", Value: r.Kind},
		{Key: "Status", Value: r.Status},
	}
	if r.StatusReason != "" {
		fields = append(fields, output.Field{Key: "Reason", Value: r.StatusReason})
	}
	if c := r.Certificate; c != nil {
		fields = append(fields,
			output.Field{Key: "Certificate", Value: c.Serial},
			output.Field{Key: "Not after", Value: c.NotAfter.Format(time.RFC3339)},
			output.Field{Key: "SHA-256", Value: c.Fingerprints.SHA256})
		if c.File != "" {
			fields = append(fields, output.Field{Key: "Written to", Value: c.File})
		}
	}
	return output.View{Data: r, Details: fields}
}

func orNone(s string) string {
	if s == "" {
		return "no reason given"
	}
	return s
}

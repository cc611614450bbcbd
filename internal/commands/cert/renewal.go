package cert

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
)

// defaultExpiresIn renews once two thirds of the lifetime have passed, as
// step does by default.
const defaultExpiresIn = "33%"

// NeedsRenewalOptions are the inputs of `imictl cert needs-renewal`.
type NeedsRenewalOptions struct {
	IO        *iostreams.IOStreams
	Format    output.Format
	Now       func() time.Time
	File      string
	ExpiresIn string
	Window    Window // parsed from ExpiresIn
}

// Window is how close to its expiry a certificate needs renewal: a fixed
// duration, or a percentage of its lifetime.
type Window struct {
	Duration time.Duration
	Percent  float64 // used when > 0
}

// ParseWindow reads a Go duration ("720h"), days ("30d", "1.5d") or a
// percentage of the lifetime ("33%").
func ParseWindow(s string) (Window, error) {
	bad := fmt.Errorf("invalid --expires-in %q: give a duration (720h), days (30d) or a percentage of the lifetime (33%%)", s)
	switch {
	case strings.HasSuffix(s, "%"):
		p, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || p <= 0 || p > 100 {
			return Window{}, bad
		}
		return Window{Percent: p}, nil
	case strings.HasSuffix(s, "d"):
		days, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64)
		if err != nil || days < 0 || days > 100*365 {
			return Window{}, bad
		}
		return Window{Duration: time.Duration(days * float64(24*time.Hour))}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return Window{}, bad
	}
	return Window{Duration: d}, nil
}

// Of returns the window for a certificate valid from notBefore to notAfter.
func (w Window) Of(notBefore, notAfter time.Time) time.Duration {
	if w.Percent > 0 {
		return time.Duration(float64(notAfter.Sub(notBefore)) * w.Percent / 100)
	}
	return w.Duration
}

// RenewalResult is the JSON form of `cert needs-renewal -o json`.
type RenewalResult struct {
	NeedsRenewal       bool      `json:"needsRenewal"`
	Subject            string    `json:"subject"`
	NotBefore          time.Time `json:"notBefore"`
	NotAfter           time.Time `json:"notAfter"`
	RemainingSeconds   int64     `json:"remainingSeconds"` // negative once expired
	ExpiresIn          string    `json:"expiresIn"`        // the window as given
	RenewWithinSeconds int64     `json:"renewWithinSeconds"`
}

// NewCmdNeedsRenewal returns `imictl cert needs-renewal`. runF replaces the
// run step in tests.
func NewCmdNeedsRenewal(f *cmdutil.Factory, runF func(*NeedsRenewalOptions) error) *cobra.Command {
	opts := &NeedsRenewalOptions{IO: f.IOStreams, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "needs-renewal FILE|-",
		Short: "Tell, by the exit status, whether a certificate needs renewal",
		Long: `Tell whether a certificate needs renewal: when less than --expires-in of its
validity remains, or it has expired. --expires-in takes a Go duration
(720h), days (30d) or a percentage of the certificate's lifetime (33%, the
default: renew once two thirds of the lifetime have passed, as step does).
Only the first certificate of a bundle is checked.

It prints the decision; scripts and cron jobs use the exit status:
  0  the certificate needs renewal (or has expired)
  1  it does not
  2  invalid flags or arguments
  4  the file cannot be read or holds no certificate
  7  the file does not exist
These differ from other commands, where 1 means an error.`,
		Example: `  imictl cert needs-renewal server.crt && renew-my-cert
  imictl cert needs-renewal server.crt --expires-in 30d
  imictl cert needs-renewal server.crt --expires-in 720h -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.File = args[0]
			w, err := ParseWindow(opts.ExpiresIn)
			if err != nil {
				return cmdutil.AsUsageError(err)
			}
			opts.Window = w
			if runF != nil {
				return runF(opts)
			}
			return renewalError(needsRenewalRun(opts))
		},
	}
	cmd.Flags().StringVar(&opts.ExpiresIn, "expires-in", defaultExpiresIn, "renew when less than `DURATION` remains: 720h, 30d or a percentage of the lifetime")
	return cmd
}

func needsRenewalRun(opts *NeedsRenewalOptions) error {
	certs, err := readCerts(opts.IO, opts.File)
	if err != nil {
		return err
	}
	c := certs[0]
	window := opts.Window.Of(c.NotBefore, c.NotAfter)
	remaining := c.NotAfter.Sub(opts.Now())
	res := RenewalResult{
		NeedsRenewal:       remaining < window,
		Subject:            c.Subject.String(),
		NotBefore:          c.NotBefore.UTC(),
		NotAfter:           c.NotAfter.UTC(),
		RemainingSeconds:   int64(remaining / time.Second),
		ExpiresIn:          opts.ExpiresIn,
		RenewWithinSeconds: int64(window / time.Second),
	}
	if err := output.Print(opts.IO.Out, opts.Format, res.view(window, remaining)); err != nil {
		return err
	}
	if !res.NeedsRenewal {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailure} // silent: the output said it
	}
	return nil
}

// renewalError keeps exit status 1 for "no renewal needed": a missing file
// exits 7 and any other failure 4.
func renewalError(err error) error {
	var e *cmdutil.ExitError
	switch {
	case err == nil || errors.As(err, &e):
		return err
	case errors.Is(err, fs.ErrNotExist):
		return &cmdutil.ExitError{Code: cmdutil.ExitNotFound, Err: err}
	default:
		return &cmdutil.ExitError{Code: cmdutil.ExitAuth, Err: err}
	}
}

func (r RenewalResult) view(window, remaining time.Duration) output.View {
	within := r.ExpiresIn
	if strings.HasSuffix(within, "%") {
		within += " of the lifetime (" + humanDuration(window) + ")"
	}
	needs := "no"
	if r.NeedsRenewal {
		needs = "yes"
	}
	return output.View{Data: r, Details: []output.Field{
		{Key: "Subject", Value: r.Subject},
		{Key: "Not after", Value: r.NotAfter.Format(time.RFC3339)},
		{Key: "Remaining", Value: humanDuration(remaining)},
		{Key: "Renew within", Value: within},
		{Key: "Needs renewal", Value: needs},
	}}
}

// humanDuration prints days, hours and minutes ("121d16h", "5h30m"), or
// seconds under a minute; negative once expired.
func humanDuration(d time.Duration) string {
	if d < 0 {
		return "-" + humanDuration(-d)
	}
	if d < time.Minute {
		return fmt.Sprintf("%ds", int64(d/time.Second))
	}
	days, hours, minutes := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour), int64(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%dd%dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh%dm", hours, minutes)
	default:
		return fmt.Sprintf("%dm", minutes)
	}
}

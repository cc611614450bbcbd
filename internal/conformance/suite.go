package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/sns/httpsig"
)

// Config says whom the suite tests and as whom.
type Config struct {
	// Key and Cert are the suite's registered identity: the target must
	// find Cert in the directory of the management server both trust.
	Key  *sm2.PrivateKey
	Cert *smx509.Certificate
	// Verify authenticates the target's answers: Resolver (the directory),
	// Roots, CRL or NoRevocationCheck. Self is set per call.
	Verify httpsig.Options
	// Target is the server under test: its base URL, and its serverId, or
	// "" to learn it from its signed answer to a first request.
	Target Target
	// User is a user of the target (user@serverId), for the cases that
	// need one; "" skips them.
	User string
	// Group is a group of the target that takes applications (isVisible
	// 1), for the group cases; "" skips them. The suite's user joins it
	// and leaves it again.
	Group string
	// HTTP carries the requests; default: a transport without transparent
	// compression, which would change the signed bytes.
	HTTP http.RoundTripper
	// Timeout bounds each exchange; default 15 seconds.
	Timeout time.Duration
	// Run, when set, selects the cases whose ID it matches.
	Run *regexp.Regexp
	// OnResult, when set, sees each result as soon as its case ends.
	OnResult func(Result)
}

// Target is the server under test.
type Target struct {
	ServerID string `json:"serverId"`
	BaseURL  string `json:"baseURL"`
}

// Status is the outcome of a case.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Need is test data a case cannot do without.
type Need string

const (
	NeedUser  Need = "user"  // a user of the target (Config.User, --user)
	NeedGroup Need = "group" // a group of the target (Config.Group, --group)
)

// needHelp says how to provide each Need.
var needHelp = map[Need]string{
	NeedUser:  "needs a test user on the target: pass --user USER@SERVERID",
	NeedGroup: "needs a test group on the target: pass --group GROUPID@SERVERID (one with isVisible 1)",
}

// Case is one check of the suite.
type Case struct {
	ID    string // stable, e.g. "sec.replay"; JUnit test name
	Area  string // the interface or topic, e.g. "S8", "security"; JUnit class
	Title string // what a conforming server does, in one line
	Needs []Need
	// Run returns nil when the server did what Title says, a Skipf error
	// when the case cannot be judged, and otherwise what it did instead.
	Run func(t *T) error
}

// Result is the outcome of one case.
type Result struct {
	ID       string        `json:"id"`
	Area     string        `json:"area"`
	Title    string        `json:"title"`
	Status   Status        `json:"status"`
	Detail   string        `json:"detail,omitempty"` // why it failed or was skipped
	Duration time.Duration `json:"-"`
}

// Report is a whole run.
type Report struct {
	Target   Target        `json:"target"`
	Caller   string        `json:"caller"` // the serverId the suite signed as
	Results  []Result      `json:"results"`
	Passed   int           `json:"passed"`
	Failed   int           `json:"failed"`
	Skipped  int           `json:"skipped"`
	Duration time.Duration `json:"-"`
}

// Summary is the report's last line: "N passed, N failed, N skipped".
func (r *Report) Summary() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", r.Passed, r.Failed, r.Skipped)
}

// OK reports whether nothing failed.
func (r *Report) OK() bool { return r.Failed == 0 }

// skipError marks a case that could not be judged.
type skipError struct{ why string }

func (e *skipError) Error() string { return e.why }

// Skipf ends a case as skipped, saying why.
func Skipf(format string, args ...any) error {
	return &skipError{fmt.Sprintf(format, args...)}
}

// Run runs cases against cfg.Target, in order. The error is for a run
// that could not start (no identity, the target's serverId could not be
// learned); a failing case is in the report.
func Run(ctx context.Context, cfg Config, cases []Case) (*Report, error) {
	s, err := newSession(ctx, cfg)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rep := &Report{Target: s.target, Caller: s.self(), Results: []Result{}}
	for _, c := range cases {
		if cfg.Run != nil && !cfg.Run.MatchString(c.ID) {
			continue
		}
		r := runCase(ctx, s, c)
		switch r.Status {
		case Pass:
			rep.Passed++
		case Fail:
			rep.Failed++
		case Skip:
			rep.Skipped++
		}
		rep.Results = append(rep.Results, r)
		if cfg.OnResult != nil {
			cfg.OnResult(r)
		}
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

func runCase(ctx context.Context, s *session, c Case) Result {
	r := Result{ID: c.ID, Area: c.Area, Title: c.Title}
	for _, n := range c.Needs {
		if !s.has(n) {
			r.Status, r.Detail = Skip, needHelp[n]
			return r
		}
	}
	start := time.Now()
	err := c.Run(&T{ctx: ctx, s: s})
	r.Duration = time.Since(start)
	var skip *skipError
	switch {
	case err == nil:
		r.Status = Pass
	case errors.As(err, &skip):
		r.Status, r.Detail = Skip, skip.why
	default:
		r.Status, r.Detail = Fail, err.Error()
	}
	return r
}

// T is what a case works with: the session to the target and names
// unique to this run.
type T struct {
	ctx context.Context
	s   *session
}

// Target is the server under test.
func (t *T) Target() Target { return t.s.target }

// Self is the serverId the suite signs as.
func (t *T) Self() string { return t.s.self() }

// User is the target's test user, "" when not given.
func (t *T) User() string { return t.s.cfg.User }

// Unique is an id part no earlier run used: for message ids, and users
// that must not exist.
func (t *T) Unique(prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return prefix + "-" + hex.EncodeToString(b[:])
}

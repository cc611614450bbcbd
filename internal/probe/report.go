package probe

import (
	"fmt"
	"strings"
)

// Status is the outcome of one check.
type Status string

const (
	StatusOK      Status = "ok"
	StatusWarn    Status = "warn"    // works, but something needs attention
	StatusFail    Status = "fail"    // calls to or from the peer fail because of it
	StatusSkipped Status = "skipped" // not run: what it needs failed, or it does not apply
)

// Class is the kind of failure of a failed check, which decides the exit
// code of imictl probe.
type Class int

const (
	ClassNone        Class = iota
	ClassAuth              // authentication or certificate (exit 4)
	ClassUnavailable       // unreachable, or "retry later" (exit 6)
	ClassOther             // anything else (exit 1)
)

// Check is the result of one check. Its JSON form is part of the stable
// output of imictl probe -o json.
type Check struct {
	// ID names the check, "<layer>.<name>" (address.tcp, signed.response).
	ID string `json:"id"`
	// Layer is the part of ID before the dot.
	Layer  string `json:"layer"`
	Status Status `json:"status"`
	// Reason is a machine-readable word for a warning or failure
	// (connection_refused, cert_expired, clock_skew...), "" when ok.
	Reason string `json:"reason"`
	// Finding says in plain words what the check found.
	Finding string `json:"finding"`
	// Next says what to do about a warning or failure, "" when ok.
	Next  string `json:"next"`
	Class Class  `json:"-"`
}

// Report is a whole probe.
type Report struct {
	Target   string  `json:"target"`   // as given
	Kind     string  `json:"kind"`     // "peer" or "mgmt"
	ServerID string  `json:"serverId"` // the peer's serverId, "" when it could not be learned
	URL      string  `json:"url"`      // the base URL probed, "" when it could not be found
	Result   Status  `json:"result"`   // fail if any check failed, else warn if any warned, else ok
	Checks   []Check `json:"checks"`
}

// Kinds of target.
const (
	KindPeer = "peer"
	KindMgmt = "mgmt"
)

// Outcome is the class of the first failed check, ClassNone when none
// failed.
func (r *Report) Outcome() Class {
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			return c.Class
		}
	}
	return ClassNone
}

// Check returns the check called id, or nil.
func (r *Report) Check(id string) *Check {
	for i := range r.Checks {
		if r.Checks[i].ID == id {
			return &r.Checks[i]
		}
	}
	return nil
}

func (r *Report) finish() {
	r.Result = StatusOK
	for _, c := range r.Checks {
		switch {
		case c.Status == StatusFail:
			r.Result = StatusFail
			return
		case c.Status == StatusWarn:
			r.Result = StatusWarn
		}
	}
}

func ok(format string, args ...any) Check {
	return Check{Status: StatusOK, Finding: fmt.Sprintf(format, args...)}
}

func warn(reason, next, format string, args ...any) Check {
	return Check{Status: StatusWarn, Reason: reason, Next: next, Finding: fmt.Sprintf(format, args...)}
}

func fail(class Class, reason, next, format string, args ...any) Check {
	return Check{Status: StatusFail, Class: class, Reason: reason, Next: next, Finding: fmt.Sprintf(format, args...)}
}

func skipped(format string, args ...any) Check {
	return Check{Status: StatusSkipped, Finding: fmt.Sprintf(format, args...)}
}

func layerOf(id string) string {
	layer, _, _ := strings.Cut(id, ".")
	return layer
}

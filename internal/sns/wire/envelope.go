package wire

import "github.com/imictl/imictl/internal/lenient"

// Result codes of the interconnection envelope (§6.2.8): an int, 0 or 1.
const (
	CodeOK   = 0
	CodeFail = 1
)

// Envelope is the frame of every /sns response: {"code":0,"error":""}.
// Response types embed it and add their fields beside code and error.
// Reason is our addition (omitted when empty): a stable machine-readable
// word for a refusal, such as "bad_request", that scripts can match while
// Error stays human prose.
//
// Envelope deliberately has no UnmarshalJSON: a method on it would be
// promoted to every type that embeds it and silently leave that type's other
// fields empty. Code is a lenient.Int instead, so a bare Envelope still
// reads "code":"0"; compare it with CodeOK as with an int.
type Envelope struct {
	Code   lenient.Int `json:"code"`
	Error  string      `json:"error"`
	Reason string      `json:"reason,omitempty"`
}

// OK is the success envelope.
func OK() Envelope { return Envelope{Code: CodeOK} }

// Fail is a failure envelope with a stable reason and a message for people.
func Fail(reason, message string) Envelope {
	return Envelope{Code: CodeFail, Error: message, Reason: reason}
}

// Succeeded reports whether the peer said code 0.
func (e Envelope) Succeeded() bool { return e.Code == CodeOK }

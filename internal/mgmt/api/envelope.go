package api

import "github.com/imictl/imictl/internal/lenient"

// Result codes of the management envelope (§6.3): a string, "0" success.
const (
	CodeOK   = "0"
	CodeFail = "1"
)

// Envelope is the frame of every management response:
// {"code":"0","desc":"OK"}. Response types embed it. Reason is our addition
// (omitted when empty): a stable machine-readable word for a refusal, such
// as "unknown_server", while Desc stays human prose.
//
// Envelope deliberately has no UnmarshalJSON: a method on it would be
// promoted to every type that embeds it and silently leave that type's other
// fields empty. Code is a lenient.String instead, so a bare Envelope still
// reads "code":0 as "0".
type Envelope struct {
	Code   lenient.String `json:"code"`
	Desc   string         `json:"desc"`
	Reason string         `json:"reason,omitempty"`
}

// OK is the success envelope.
func OK() Envelope { return Envelope{Code: CodeOK, Desc: "OK"} }

// Fail is a failure envelope with a stable reason and a message for people.
func Fail(reason, desc string) Envelope {
	return Envelope{Code: CodeFail, Desc: desc, Reason: reason}
}

// Succeeded reports whether the server said code "0" (a number 0 decodes
// as "0" too).
func (e Envelope) Succeeded() bool { return e.Code == CodeOK }

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
type Envelope struct {
	Code   string `json:"code"`
	Desc   string `json:"desc"`
	Reason string `json:"reason,omitempty"`
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

// UnmarshalJSON decodes leniently. Types embedding Envelope define their
// own UnmarshalJSON, which shadows this one.
func (e *Envelope) UnmarshalJSON(b []byte) error { return lenient.Decode(b, e) }

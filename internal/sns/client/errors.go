package client

import (
	"fmt"
	"net/http"
)

// APIError is a call the peer authenticated and refused with the standard's
// failure envelope ({"code":1,"error":...}), or answered with an error
// status and no envelope.
type APIError struct {
	Peer    string // the peer's serverId
	Method  string
	Path    string // the request's path and query
	Status  int    // HTTP status
	Code    int    // the envelope's code; 1 for a failure
	Reason  string // the envelope's machine-readable reason, "" if none
	Message string // the envelope's error text
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "no reason given"
	}
	s := fmt.Sprintf("%s refused %s %s: %s", e.Peer, e.Method, e.Path, msg)
	if e.Reason != "" {
		s += " (reason: " + e.Reason + ")"
	}
	if e.Status != http.StatusOK {
		s += fmt.Sprintf(" [HTTP %d]", e.Status)
	}
	return s
}

// UnreachableError is a call that got no answer: connection refused, DNS,
// TLS, timeout, or a connection cut before the response was complete.
type UnreachableError struct {
	Peer string // the peer as named by the caller
	URL  string
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach %s at %s: %v; check the address and that the server runs", e.Peer, e.URL, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

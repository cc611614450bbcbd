// Package ids holds the identifier and address rules shared by the wire
// packages and the clients, kept dependency-free so that wire types can
// validate without importing the PKI.
package ids

import (
	"fmt"
	"regexp"
)

// serverIDPattern is table 1 of the standard (letters, digits, "_" and "-")
// with the 64-character cap of docs/PROTOCOL.md §1. It admits no "." or ":",
// which is what keeps "local@serverId" apart from "local@host:port".
var serverIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidateServerID reports whether id is a well-formed serverId.
func ValidateServerID(id string) error {
	if id == "" {
		return fmt.Errorf("empty serverId: give 1-64 letters, digits, '_' or '-'")
	}
	if !serverIDPattern.MatchString(id) {
		return fmt.Errorf("bad serverId %q: use 1-64 letters, digits, '_' or '-' only", id)
	}
	return nil
}

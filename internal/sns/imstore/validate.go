package imstore

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/imictl/imictl/internal/boltdb"
	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/sns/wire"
)

// userIDPattern is the local user id rule: phone-like ids ("13500001111",
// "+8613500001111") and simple names ("li.lei", "bob_2"). It is a subset of
// what wire.ParseAddress accepts as a local part, so every local user has a
// valid address "userID@serverId", safe in URLs and file names.
var userIDPattern = regexp.MustCompile(`^[A-Za-z0-9_+-][A-Za-z0-9_.+-]{0,63}$`)

// Field limits: generous for real data, small enough that a record stays a
// few kilobytes.
const (
	maxNameLen     = 256
	maxPhoneLen    = 64
	maxPortraitLen = 2048
	maxRemarkLen   = 1024
	maxPathLen     = 256
	maxConvLen     = 1024
	maxReasonLen   = 1024
)

// CheckUserID reports whether id is a valid local user id.
func CheckUserID(id string) error {
	if !userIDPattern.MatchString(id) || strings.Contains(id, "..") {
		return boltdb.Invalid("userID", "%q: use 1-64 letters, digits, '_', '+', '-' or '.' (not first, not doubled)", id)
	}
	return nil
}

// checkText refuses text that is too long, not UTF-8, or carries control
// characters (which would corrupt tables and logs); optional text may be "".
func checkText(field, s string, maxLen int, required bool) error {
	switch {
	case s == "" && required:
		return boltdb.Invalid(field, "required")
	case len(s) > maxLen:
		return boltdb.Invalid(field, "%d bytes, at most %d", len(s), maxLen)
	case !utf8.ValidString(s):
		return boltdb.Invalid(field, "not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return boltdb.Invalid(field, "contains control character %U", r)
		}
	}
	return nil
}

// canonicalAddress checks a full id ("local@serverId" or "local@host:port")
// and returns its canonical spelling, so one user never has two keys.
func canonicalAddress(field, s string) (string, wire.Address, error) {
	a, err := wire.ParseAddress(s)
	if err != nil {
		return "", a, boltdb.Invalid(field, "%v", err)
	}
	return a.String(), a, nil
}

// canonicalPeer accepts a local user id or a full address.
func canonicalPeer(field, s string) (string, error) {
	if !strings.Contains(s, "@") {
		if err := CheckUserID(s); err != nil {
			return "", boltdb.Invalid(field, "%q is neither a local user id nor user@serverId / user@host:port", s)
		}
		return s, nil
	}
	c, _, err := canonicalAddress(field, s)
	return c, err
}

// canonicalDestination checks a peer server: a serverId or host:port.
func canonicalDestination(field, s string) (string, error) {
	if s == "" {
		return "", boltdb.Invalid(field, "required: a serverId or host:port")
	}
	if !strings.ContainsAny(s, ".:[") {
		if err := ids.ValidateServerID(s); err != nil {
			return "", boltdb.Invalid(field, "%v", err)
		}
		return s, nil
	}
	a, err := wire.ParseAddress("x@" + s)
	if err != nil {
		return "", boltdb.Invalid(field, "%q is neither a serverId nor host:port", s)
	}
	return a.Domain(), nil
}

// OriginOf returns the server part of an id (the serverId, or host:port):
// for a messageID or fileID, the server that made it.
func OriginOf(id string) (string, error) {
	_, a, err := canonicalAddress("id", id)
	if err != nil {
		return "", err
	}
	return a.Domain(), nil
}

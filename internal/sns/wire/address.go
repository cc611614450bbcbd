package wire

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/imictl/imictl/internal/ids"
)

// Address is a user, group, message or file id (§6.2.2) in one of two forms:
// "local@serverId", resolved through the management server's directory, or
// "local@host:port", resolved by DNS. Exactly one of ServerID and Host is set.
type Address struct {
	Local    string // before the "@"; safe to use in a URL or a file name (see ParseAddress)
	ServerID string // directory form
	Host     string // host form: lower-case DNS name, or an IP address without brackets
	Port     uint16 // host form only
}

// maxLocal bounds the local part; ids are phone numbers and generated ids.
const maxLocal = 256

// ParseAddress parses and checks an id. The local part must be non-empty
// valid UTF-8 of at most 256 bytes with no "@", "/", "\", "..", white space
// or control characters (NUL included) and no leading ".", because file ids
// end up in URLs and file names. A serverId has no "." or ":" (profile), so
// anything with a "." or ":" or "[" after the "@" is the host form, which
// needs a port.
func ParseAddress(s string) (Address, error) {
	local, domain, ok := strings.Cut(s, "@")
	if !ok {
		return Address{}, fmt.Errorf("id %q has no '@': write local@serverId or local@host:port", s)
	}
	if err := checkLocal(local); err != nil {
		return Address{}, fmt.Errorf("id %q: %w", s, err)
	}
	if strings.Contains(domain, "@") {
		return Address{}, fmt.Errorf("id %q has more than one '@'", s)
	}
	if !strings.ContainsAny(domain, ".:[") {
		if err := ids.ValidateServerID(domain); err != nil {
			return Address{}, fmt.Errorf("id %q: %w", s, err)
		}
		return Address{Local: local, ServerID: domain}, nil
	}
	host, port, err := parseHostPort(domain)
	if err != nil {
		return Address{}, fmt.Errorf("id %q: %w", s, err)
	}
	return Address{Local: local, Host: host, Port: port}, nil
}

// String returns the canonical form: host names lower-cased, IPv6 in brackets.
func (a Address) String() string {
	if a.IsDirectory() {
		return a.Local + "@" + a.ServerID
	}
	return a.Local + "@" + a.Domain()
}

// IsDirectory reports whether the id names a serverId (resolved through the
// management server) rather than a host and port (resolved by DNS).
func (a Address) IsDirectory() bool { return a.ServerID != "" }

// Domain is the part after the "@": the serverId, or host:port.
func (a Address) Domain() string {
	if a.IsDirectory() {
		return a.ServerID
	}
	return net.JoinHostPort(a.Host, strconv.Itoa(int(a.Port)))
}

func checkLocal(local string) error {
	switch {
	case local == "":
		return fmt.Errorf("empty local part before '@'")
	case len(local) > maxLocal:
		return fmt.Errorf("local part longer than %d bytes", maxLocal)
	case !utf8.ValidString(local):
		return fmt.Errorf("local part is not valid UTF-8")
	case strings.HasPrefix(local, "."):
		return fmt.Errorf("local part starts with '.'")
	case strings.Contains(local, ".."):
		return fmt.Errorf("local part contains '..'")
	case strings.ContainsAny(local, `/\`):
		return fmt.Errorf("local part contains a path separator")
	}
	for _, r := range local {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return fmt.Errorf("local part contains control or space character %U", r)
		}
	}
	return nil
}

func parseHostPort(domain string) (string, uint16, error) {
	host, portText, err := net.SplitHostPort(domain)
	if err != nil {
		return "", 0, fmt.Errorf("want host:port after '@' (port required; IPv6 in brackets): %v", err)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || port == 0 {
		return "", 0, fmt.Errorf("bad port %q: want 1-65535", portText)
	}
	bracketed := strings.HasPrefix(domain, "[")
	if ip, err := netip.ParseAddr(host); err == nil {
		// SplitHostPort already refuses an unbracketed IPv6 address.
		switch {
		case ip.Zone() != "":
			return "", 0, fmt.Errorf("IPv6 zone %q not allowed in an id", ip.Zone())
		case ip.Is4() && bracketed:
			return "", 0, fmt.Errorf("write an IPv4 address without brackets: %s:%d", host, port)
		}
		return ip.String(), uint16(port), nil
	}
	if bracketed {
		return "", 0, fmt.Errorf("%q in brackets is not an IPv6 address", host)
	}
	if err := checkDNSName(host); err != nil {
		return "", 0, err
	}
	return strings.ToLower(host), uint16(port), nil
}

// checkDNSName accepts LDH host names (RFC 1123), without a trailing dot.
func checkDNSName(h string) error {
	if h == "" || len(h) > 253 {
		return fmt.Errorf("bad host %q: want a DNS name of 1-253 characters", h)
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("bad host %q: each label needs 1-63 letters, digits or inner '-'", h)
		}
		for i := range len(label) {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return fmt.Errorf("bad host %q: %q is not allowed in a DNS name", h, c)
			}
		}
	}
	return nil
}

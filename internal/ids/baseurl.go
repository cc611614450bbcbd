package ids

import (
	"net/url"
	"strconv"
)

// IsBaseURL reports whether s is a base URL a client can append interface
// paths to: http(s)://host[:port][/path], with a host name, a port (when
// given) from 1 to 65535, and no user, query or fragment.
func IsBaseURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		return err == nil && n > 0
	}
	return true
}

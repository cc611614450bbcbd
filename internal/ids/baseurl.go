package ids

import "net/url"

// IsBaseURL reports whether s is a base URL a client can append interface
// paths to: http(s)://host[:port][/path], with no user, query or fragment.
func IsBaseURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.User == nil && u.RawQuery == "" && u.Fragment == ""
}

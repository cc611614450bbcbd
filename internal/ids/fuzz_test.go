package ids

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzIDs: what ValidateServerID accepts cannot be mistaken for a host or
// an address, and what IsBaseURL accepts takes an interface path.
func FuzzIDs(f *testing.F) {
	for _, s := range []string{"local-im", "a.b", "x:1", "http://127.0.0.1:8441", "https://u@h/", "http://h/p?q", "http://[::1]:1/base", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateServerID(s) == nil && (len(s) > 64 || strings.ContainsAny(s, ".:@/[] ")) {
			t.Fatalf("serverId %q accepted", s)
		}
		if IsBaseURL(s) {
			u, err := url.Parse(strings.TrimSuffix(s, "/") + "/sns/chat")
			if err != nil || u.Host == "" || u.User != nil {
				t.Fatalf("base URL %q does not take a path: %v", s, err)
			}
		}
	})
}

package ids

import (
	"strings"
	"testing"
)

func TestValidateServerID(t *testing.T) {
	for _, id := range []string{"abc", "vrv_linkdood", "center-im", "A9", strings.Repeat("x", 64)} {
		if err := ValidateServerID(id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
	for id, want := range map[string]string{
		"":                      "empty serverId: give 1-64 letters, digits, '_' or '-'",
		"a.b":                   `bad serverId "a.b": use 1-64 letters, digits, '_' or '-' only`,
		"a:1":                   `bad serverId "a:1": use 1-64 letters, digits, '_' or '-' only`,
		"a b":                   `bad serverId "a b": use 1-64 letters, digits, '_' or '-' only`,
		"abc\n":                 `bad serverId "abc\n": use 1-64 letters, digits, '_' or '-' only`,
		"信源":                    `bad serverId "信源": use 1-64 letters, digits, '_' or '-' only`,
		strings.Repeat("x", 65): `bad serverId "` + strings.Repeat("x", 65) + `": use 1-64 letters, digits, '_' or '-' only`,
	} {
		if err := ValidateServerID(id); err == nil || err.Error() != want {
			t.Errorf("%q: err = %v, want %s", id, err, want)
		}
	}
}

func TestIsBaseURL(t *testing.T) {
	for s, want := range map[string]bool{
		"https://im.example.com":         true,
		"http://127.0.0.1:8440/prefix":   true,
		"http://[::1]:8440":              true,
		"":                               false,
		"im.example.com:443":             false,
		"ftp://im.example.com":           false,
		"http://":                        false,
		"https://user:pw@im.example.com": false,
		"https://im.example.com/?a=1":    false,
		"https://im.example.com/#frag":   false,
		"https://im.example.com/%zz":     false,
		"http://000000000:70000":         false, // found by FuzzLoadConfig
		"http://im.example.com:0":        false,
		"http://:8440":                   false,
		"http://im.example.com:65535":    true,
	} {
		if got := IsBaseURL(s); got != want {
			t.Errorf("IsBaseURL(%q) = %v, want %v", s, got, want)
		}
	}
}

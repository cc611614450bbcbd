package api

import (
	"encoding/pem"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/imictl/imictl/internal/lenient"
)

// maxText bounds free-text fields such as names.
const maxText = 256

// checkText requires a non-empty single line of at most maxText bytes.
func checkText(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return lenient.Errorf(field, "required")
	}
	return checkOptionalText(field, s)
}

func checkOptionalText(field, s string) error {
	if len(s) > maxText {
		return lenient.Errorf(field, "longer than "+itoa(maxText)+" bytes")
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return lenient.Errorf(field, "contains a control character")
	}
	return nil
}

// checkServerAddress requires an absolute http(s) base URL with a host and
// nothing after the path ("https://restApi.abc.com"). Whether plain http is
// acceptable is the management server's policy, not a wire rule.
func checkServerAddress(field, s string) error {
	if s == "" {
		return lenient.Errorf(field, "required")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return lenient.Errorf(field, "want a base URL like https://im.example.com:443, got "+strconv.Quote(s))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return lenient.Errorf(field, "a base URL has no user, query or fragment: "+strconv.Quote(s))
	}
	return nil
}

func checkEmail(field, s string) error {
	if s == "" {
		return lenient.Errorf(field, "required")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return lenient.Errorf(field, "want a bare address like ops@example.com, got "+strconv.Quote(s))
	}
	return nil
}

// checkMobile takes digits with an optional leading "+" and "-" or space
// separators, as people write phone numbers.
func checkMobile(field, s string) error {
	if s == "" {
		return lenient.Errorf(field, "required")
	}
	digits := 0
	for i, r := range s {
		switch {
		case '0' <= r && r <= '9':
			digits++
		case r == '+' && i == 0, r == '-', r == ' ':
		default:
			return lenient.Errorf(field, "want a phone number like +86 135-0000-1111, got "+strconv.Quote(s))
		}
	}
	if digits < 3 || digits > 20 {
		return lenient.Errorf(field, "want 3 to 20 digits, got "+strconv.Quote(s))
	}
	return nil
}

// checkCSR requires one PEM "CERTIFICATE REQUEST" block and nothing else;
// its signature and contents are the PKI's to check.
func checkCSR(field, s string) error {
	if s == "" {
		return lenient.Errorf(field, "required: a PEM PKCS#10 request (imictl csr create)")
	}
	block, rest := pem.Decode([]byte(s))
	if block == nil || (block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST") {
		return lenient.Errorf(field, "want a PEM block \"CERTIFICATE REQUEST\" (imictl csr create)")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return lenient.Errorf(field, "data after the PEM block: send one request")
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

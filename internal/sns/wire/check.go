package wire

import (
	"strconv"

	"github.com/imictl/imictl/internal/lenient"
)

// requireAddress fails when id is empty or not a ParseAddress id.
func requireAddress(field, id string) error {
	if id == "" {
		return lenient.Errorf(field, "required")
	}
	return checkAddress(field, id)
}

func checkAddress(field, id string) error {
	if _, err := ParseAddress(id); err != nil {
		return lenient.Errorf(field, err.Error())
	}
	return nil
}

// requireAddresses checks a non-empty list of ids.
func requireAddresses(field string, list []string) error {
	if len(list) == 0 {
		return lenient.Errorf(field, "required: at least one id")
	}
	for i, id := range list {
		if err := requireAddress(field+"["+strconv.Itoa(i)+"]", id); err != nil {
			return err
		}
	}
	return nil
}

// oneOrTwo checks the 1/2 enumerations of the standard (isAgree, isAllow...).
func oneOrTwo(field string, v int, meaning string) error {
	if v != 1 && v != 2 {
		return lenient.Errorf(field, "want "+meaning+", got "+itoa(v))
	}
	return nil
}

// isDecimal reports whether s is a decimal integer, allowing zero if zeroOK.
func isDecimal(s string, zeroOK bool) bool {
	n, err := strconv.ParseUint(s, 10, 63)
	return err == nil && (zeroOK || n > 0)
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func itoa(n int) string     { return strconv.Itoa(n) }
func quote(s string) string { return strconv.Quote(s) }

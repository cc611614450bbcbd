package output

import (
	"fmt"
	"strings"
	"unicode"
)

// EscapeControl makes text safe to show on a terminal. Tables and error
// messages carry text from peers (server names, error bodies); a control
// character there could move the cursor, recolour or hide output, and
// bidirectional overrides could make it read differently than it is. Such
// characters are shown as Go escapes (\n, \x1b, \u202e).
func EscapeControl(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unsafeRune(r):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// EscapeControlLines is EscapeControl keeping line breaks, for multi-line
// messages.
func EscapeControlLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = EscapeControl(l)
	}
	return strings.Join(lines, "\n")
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) ||
		(r >= 0x202a && r <= 0x202e) || // bidi embeddings and overrides
		(r >= 0x2066 && r <= 0x2069) // bidi isolates
}

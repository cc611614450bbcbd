package lenient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// String is a string that also accepts a JSON number (kept as its literal
// text, "10" for 10) and null (""). It always emits a JSON string.
type String string

// UnmarshalJSON implements json.Unmarshaler.
func (s *String) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch kind(b) {
	case "null":
		*s = ""
	case "string":
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = String(v)
	case "number":
		if !json.Valid(b) {
			return fmt.Errorf("malformed number %q", b)
		}
		*s = String(b)
	default:
		return fmt.Errorf("want a string or number, got %s", kind(b))
	}
	return nil
}

// Int is an int64 that also accepts a JSON string holding a decimal integer
// ("1", " 1 "), an empty string and null (both 0). It always emits a JSON
// number. Fractions, exponents and out-of-range values are refused rather
// than rounded.
type Int int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var text string
	switch kind(b) {
	case "null":
		*n = 0
		return nil
	case "number":
		text = string(b)
	case "string":
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
		text = strings.TrimSpace(text)
		if text == "" {
			*n = 0
			return nil
		}
	default:
		return fmt.Errorf("want an integer, got %s", kind(b))
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return fmt.Errorf("want an integer, got %q", text)
	}
	*n = Int(v)
	return nil
}

// kind names the JSON type of a trimmed, well-formed value by its first byte.
func kind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	default:
		return "number"
	}
}

package lenient

import (
	"encoding/json"
	"testing"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: `"abc"`, want: "abc"},
		{in: `""`, want: ""},
		{in: `1024`, want: "1024"},
		{in: `-1.5e3`, want: "-1.5e3"},
		{in: `null`, want: ""},
		{in: `true`, err: "want a string or number, got boolean"},
		{in: `{"a":1}`, err: "want a string or number, got object"},
		{in: `[1]`, err: "want a string or number, got array"},
	} {
		s := String("unchanged")
		err := json.Unmarshal([]byte(tc.in), &s)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: err = %v, want %q", tc.in, err, tc.err)
			}
			if s != "unchanged" {
				t.Errorf("%s: value changed to %q on error", tc.in, s)
			}
			continue
		}
		if err != nil || string(s) != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.in, s, err, tc.want)
		}
	}
	out, _ := json.Marshal(String("10"))
	if string(out) != `"10"` {
		t.Errorf("String emits %s, want \"10\"", out)
	}
}

func TestStringRefusesMalformedNumberCalledDirectly(t *testing.T) {
	var s String
	if err := s.UnmarshalJSON([]byte("12abc")); err == nil || err.Error() != `malformed number "12abc"` {
		t.Errorf("err = %v", err)
	}
}

func TestInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{in: `1`, want: 1},
		{in: `"1"`, want: 1},
		{in: `" 2 "`, want: 2},
		{in: `"-7"`, want: -7},
		{in: `""`, want: 0},
		{in: `null`, want: 0},
		{in: `"9223372036854775807"`, want: 9223372036854775807},
		{in: `"9223372036854775808"`, err: `want an integer, got "9223372036854775808"`},
		{in: `1.5`, err: `want an integer, got "1.5"`},
		{in: `1e3`, err: `want an integer, got "1e3"`},
		{in: `"abc"`, err: `want an integer, got "abc"`},
		{in: `"0x10"`, err: `want an integer, got "0x10"`},
		{in: `false`, err: "want an integer, got boolean"},
		{in: `{}`, err: "want an integer, got object"},
		{in: `[1]`, err: "want an integer, got array"},
	} {
		n := Int(42)
		err := json.Unmarshal([]byte(tc.in), &n)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: err = %v, want %q", tc.in, err, tc.err)
			}
			if n != 42 {
				t.Errorf("%s: value changed to %d on error", tc.in, n)
			}
			continue
		}
		if err != nil || int64(n) != tc.want {
			t.Errorf("%s: got %d, %v; want %d", tc.in, n, err, tc.want)
		}
	}
	out, _ := json.Marshal(Int(7))
	if string(out) != `7` {
		t.Errorf("Int emits %s, want 7", out)
	}
}

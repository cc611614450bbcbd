package lenient

import (
	"encoding/json"
	"testing"
)

func TestNonNil(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, "[]"},
		{[]string{}, "[]"},
		{[]string{"a"}, `["a"]`},
	} {
		out, err := json.Marshal(NonNil(tc.in))
		if err != nil || string(out) != tc.want {
			t.Errorf("NonNil(%#v) marshals to %s (%v), want %s", tc.in, out, err, tc.want)
		}
	}
}

// Package jsonfuzz is the fuzz property of the JSON message types of both
// interfaces (packages wire and mgmt/api), for their fuzz targets.
package jsonfuzz

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Type is one message body a fuzz target decodes.
type Type struct {
	Name  string
	New   func() any // a pointer to a zero value
	Seeds []string
}

// Seeds are inputs added for every type besides its own seeds.
var Seeds = []string{`{}`, `null`, `[]`, `{"code":1e400}`, `{"a":"\ud800"}`}

type validator interface{ Validate() error }

// RoundTrip is the property: decoding data as typ does not panic, and
// what typ accepts and validates encodes to JSON that decodes and
// validates again, to the same encoding (what a server stores or forwards
// is what it read).
func RoundTrip(t *testing.T, typ Type, data []byte) {
	t.Helper()
	v := typ.New()
	if json.Unmarshal(data, v) != nil {
		return
	}
	if c, ok := v.(validator); ok && c.Validate() != nil {
		return
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: encoding what was decoded: %v", typ.Name, err)
	}
	back := typ.New()
	if err := json.Unmarshal(out, back); err != nil {
		t.Fatalf("%s: re-decoding %s: %v", typ.Name, out, err)
	}
	if c, ok := back.(validator); ok {
		if err := c.Validate(); err != nil {
			t.Fatalf("%s: %s no longer validates: %v", typ.Name, out, err)
		}
	}
	again, err := json.Marshal(back)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("%s: round trip changed %s into %s (%v)", typ.Name, out, again, err)
	}
}

// Fuzz runs RoundTrip over types, the fuzzer choosing the type.
func Fuzz(f *testing.F, types []Type) {
	for i, typ := range types {
		for _, s := range append(typ.Seeds, Seeds...) {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		RoundTrip(t, types[int(kind)%len(types)], data)
	})
}

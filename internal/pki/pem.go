package pki

import (
	"bytes"
	"encoding/pem"
)

func bytesContains(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }

// pemOrDER returns the DER bytes of the first PEM block of type want in data,
// or data itself when it is not PEM at all (DER input). found reports a block
// of another type when no block of type want exists.
func pemOrDER(data []byte, want ...string) (der []byte, found string, ok bool) {
	if !bytesContains(data, "-----BEGIN ") {
		return data, "", len(data) > 0
	}
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, found, false
		}
		for _, w := range want {
			if block.Type == w {
				return block.Bytes, "", true
			}
		}
		if found == "" {
			found = block.Type
		}
	}
}

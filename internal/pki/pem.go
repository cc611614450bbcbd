package pki

import (
	"bytes"
	"encoding/pem"
)

// containsPEMHeader reports whether data holds the start of a PEM block, which
// tells PEM input (possibly damaged) from DER.
func containsPEMHeader(data []byte) bool { return bytes.Contains(data, []byte("-----BEGIN ")) }

// pemOrDER returns the DER bytes of the first PEM block of type want in data,
// or data itself when it is not PEM at all (DER input). found reports a block
// of another type when no block of type want exists.
func pemOrDER(data []byte, want ...string) (der []byte, found string, ok bool) {
	if !containsPEMHeader(data) {
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

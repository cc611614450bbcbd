package httpsig

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/dunglas/httpsfv"
	"github.com/emmansun/gmsm/sm3"
)

// headerContentDigest is RFC 9530's field; digestKey is its sm3 member.
const (
	headerContentDigest = "Content-Digest"
	digestKey           = "sm3"
)

// ContentDigest returns the Content-Digest field value for body:
// `sm3=:<base64 of SM3(body)>:`. An empty body has a digest too, and is always
// sent, so that a verifier never has to guess whether a body was stripped.
func ContentDigest(body []byte) string {
	sum := sm3.Sum(body)
	return digestField(sum)
}

// digestField is the Content-Digest field value for an SM3 digest.
func digestField(sum [sm3.Size]byte) string {
	var enc [(sm3.Size + 2) / 3 * 4]byte
	base64.StdEncoding.Encode(enc[:], sum[:])
	return digestKey + "=:" + string(enc[:]) + ":"
}

// ParseContentDigest returns the SM3 digest carried by the Content-Digest
// field lines. Members for other algorithms are ignored (RFC 9530 allows
// several); the sm3 member is required.
func ParseContentDigest(lines []string) ([]byte, error) {
	if sum, ok := fastContentDigest(lines); ok {
		return sum, nil
	}
	return parseContentDigestGeneral(lines)
}

// parseContentDigestGeneral parses any RFC 8941 form of the field.
func parseContentDigestGeneral(lines []string) ([]byte, error) {
	if len(lines) == 0 {
		return nil, errors.New("no Content-Digest header: send `Content-Digest: sm3=:<base64 SM3 of the body>:`, also for an empty body")
	}
	dict, err := httpsfv.UnmarshalDictionary(lines)
	if err != nil {
		return nil, fmt.Errorf("Content-Digest is not a structured-field dictionary: %v", err)
	}
	m, ok := dict.Get(digestKey)
	if !ok {
		return nil, fmt.Errorf("Content-Digest has no %q member (it has %v): this profile requires an SM3 digest", digestKey, dict.Names())
	}
	item, ok := m.(httpsfv.Item)
	if !ok {
		return nil, errors.New("Content-Digest sm3 member is an inner list; want a byte sequence")
	}
	sum, ok := item.Value.([]byte)
	if !ok || len(sum) != sm3.Size {
		return nil, fmt.Errorf("Content-Digest sm3 member must be a byte sequence of %d bytes", sm3.Size)
	}
	return sum, nil
}

// fastContentDigest recognizes the one line `sm3=:<base64 of 32 bytes>:`
// that ContentDigest writes (see fastpath.go).
func fastContentDigest(lines []string) ([]byte, bool) {
	if len(lines) != 1 {
		return nil, false
	}
	sum, _, ok := fastBytesMember(lines[0], digestKey)
	return sum, ok && len(sum) == sm3.Size
}

// digestMatches reports whether want is the SM3 digest of body.
func digestMatches(want, body []byte) bool {
	sum := sm3.Sum(body)
	return subtle.ConstantTimeCompare(want, sum[:]) == 1
}

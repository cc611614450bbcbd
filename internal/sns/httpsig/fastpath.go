package httpsig

import (
	"encoding/base64"
	"strings"
)

// Every signed call carries Signature-Input, Signature and Content-Digest in
// one shape: the canonical serialization imictl sends and docs/PROTOCOL.md
// §3 describes. The functions here recognize exactly that shape for a
// fraction of the cost of a general RFC 8941 parse. They never refuse
// anything: an input they do not recognize, including every invalid one,
// goes to httpsfv and the checks of params.go, which accept it or say what
// is wrong. What they do accept, the general path accepts too, with the
// same result (FuzzFastPathMatchesHTTPSFV).

// fastSignature parses one line `imi=(<components>)<parameters>` and one
// line `imi=:<base64>:`. Components are plain lowercase names (a derived one
// from the supported set) or `"signature";req;key="imi"`; parameters are
// those of the profile, each once, with valid values. Everything is in
// canonical form, so the serialization is the text as received.
func fastSignature(inputs, sigs []string) (*signature, bool) {
	if len(inputs) != 1 || len(sigs) != 1 || len(inputs[0]) > maxSignatureHeader || len(sigs[0]) > maxSignatureHeader {
		return nil, false
	}
	in := inputs[0]
	const listStart = Label + "=("
	if !strings.HasPrefix(in, listStart) {
		return nil, false
	}
	// One allocation holds the signature and its components: the profile
	// covers 6 in a request, 5 in a response.
	fs := &struct {
		signature
		components [8]component
	}{}
	s := &fs.signature
	p := &s.params
	p.components = fs.components[:0]
	rest := in[len(listStart):]
	for {
		c, n := fastComponent(rest)
		if n == 0 || len(p.components) == maxComponents || covers(p.components, c.id) {
			return nil, false
		}
		p.components = append(p.components, c)
		rest = rest[n:]
		if rest[0] == ')' {
			rest = rest[1:]
			break
		}
		rest = rest[1:] // the single space fastComponent checked
	}
	if !fastParams(p, rest) {
		return nil, false
	}
	p.serialized = in[len(Label)+1:]
	value, member, ok := fastBytesMember(sigs[0], Label)
	if !ok || len(value) == 0 {
		return nil, false
	}
	s.value, s.member = value, member
	return s, true
}

// fastComponent recognizes one component at the start of s, followed by
// " " or ")". It returns the component and its length, 0 if unrecognized.
func fastComponent(s string) (component, int) {
	if strings.HasPrefix(s, boundComponent) {
		n := len(boundComponent)
		if n < len(s) && (s[n] == ' ' || s[n] == ')') {
			return component{name: "signature", req: true, key: Label, id: boundComponent}, n
		}
		return component{}, 0
	}
	if len(s) < 2 || s[0] != '"' {
		return component{}, 0
	}
	end := strings.IndexByte(s[1:], '"') + 1
	if end < 2 || end+1 >= len(s) || s[end+1] != ' ' && s[end+1] != ')' {
		return component{}, 0
	}
	name := s[1:end]
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '@' && i == 0) {
			return component{}, 0
		}
	}
	if name[0] == '@' && !derivedComponents[name] {
		return component{}, 0
	}
	return component{name: name, id: s[:end+1]}, end + 1
}

func covers(cs []component, id string) bool {
	for _, c := range cs {
		if c.id == id {
			return true
		}
	}
	return false
}

// fastParams parses `;name=value...` to the end of s: created and expires
// as canonical positive integers, nonce, keyid, alg and tag as strings
// needing no escape, each at most once and valid, the required ones present
// (an empty tag counts as missing, as in parseParams).
func fastParams(p *sigParams, s string) bool {
	var seen uint8
	for s != "" {
		if s[0] != ';' {
			return false
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return false
		}
		name := s[1:eq]
		bit := paramBit(name)
		if bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		s = s[eq+1:]
		var n int
		switch name {
		case "created", "expires":
			var v int64
			if v, n = fastInteger(s); n == 0 {
				return false
			}
			if name == "created" {
				p.created = v
			} else {
				p.expires = v
			}
		default:
			var v string
			if v, n = fastString(s); n == 0 {
				return false
			}
			switch name {
			case "nonce":
				p.nonce = v
			case "keyid":
				p.keyid = v
			case "alg":
				p.alg = v
			case "tag":
				p.tag = v
			}
		}
		s = s[n:]
	}
	const required = 1<<0 | 1<<2 | 1<<3 | 1<<5 // created, nonce, keyid, tag
	return seen&required == required && p.tag != "" && validNonce(p.nonce) && validServerID(p.keyid) &&
		(seen&(1<<4) == 0 || p.alg == Algorithm)
}

// paramBit numbers the parameters fastParams knows; 0 for any other.
func paramBit(name string) uint8 {
	switch name {
	case "created":
		return 1 << 0
	case "expires":
		return 1 << 1
	case "nonce":
		return 1 << 2
	case "keyid":
		return 1 << 3
	case "alg":
		return 1 << 4
	case "tag":
		return 1 << 5
	}
	return 0
}

// fastInteger reads a positive integer without leading zeros, of at most
// the 15 digits RFC 8941 allows, ending s or followed by ';'. n is 0 when
// s does not start with one.
func fastInteger(s string) (v int64, n int) {
	for n < len(s) && n < 16 && s[n] >= '0' && s[n] <= '9' {
		v = v*10 + int64(s[n]-'0')
		n++
	}
	if n == 0 || n > 15 || s[0] == '0' || n < len(s) && s[n] != ';' {
		return 0, 0
	}
	return v, n
}

// fastString reads a quoted string of printable ASCII without '"' or '\'
// (so that it needs no escape), ending s or followed by ';'. It returns the
// contents and the length with the quotes, 0 when unrecognized.
func fastString(s string) (string, int) {
	if s == "" || s[0] != '"' {
		return "", 0
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			if i+1 < len(s) && s[i+1] != ';' {
				return "", 0
			}
			return s[1:i], i + 1
		case c < 0x20 || c > 0x7e || c == '\\':
			return "", 0
		}
	}
	return "", 0
}

// fastBytesMember recognizes a line that is exactly `<key>=:<base64>:`, a
// dictionary whose only member is a byte sequence without parameters, in
// canonical base64 of at most maxSignatureBytes bytes. It returns the bytes
// and the member's serialization `:<base64>:`.
func fastBytesMember(line, key string) (value []byte, member string, ok bool) {
	if !isKey(key) || len(line) < len(key)+3 || line[:len(key)] != key || line[len(key)] != '=' || line[len(key)+1] != ':' || line[len(line)-1] != ':' {
		return nil, "", false
	}
	member = line[len(key)+1:]
	value, ok = canonicalBase64(member[1 : len(member)-1])
	return value, member, ok
}

// isKey reports whether s is an RFC 8941 key: a lowercase letter or "*",
// then lowercase letters, digits, "_", "-", "." or "*".
func isKey(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c == '*' || i > 0 && (c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

// canonicalBase64 decodes s if it is the standard padded base64 encoding of
// at most maxSignatureBytes bytes, exactly as an encoder writes it.
func canonicalBase64(s string) ([]byte, bool) {
	if len(s) > base64.StdEncoding.EncodedLen(maxSignatureBytes) {
		return nil, false
	}
	value, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(value) > maxSignatureBytes {
		return nil, false
	}
	var again [(maxSignatureBytes + 2) / 3 * 4]byte
	enc := again[:base64.StdEncoding.EncodedLen(len(value))]
	base64.StdEncoding.Encode(enc, value)
	return value, string(enc) == s
}

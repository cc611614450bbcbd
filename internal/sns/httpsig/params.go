package httpsig

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dunglas/httpsfv"
)

// Wire constants of the profile (docs/PROTOCOL.md, section 3).
const (
	Label             = "imi"      // the signature label in Signature-Input and Signature
	Algorithm         = "sm2-sm3"  // the alg parameter
	TagRequest        = "imi-req"  // the tag parameter of a request signature
	TagResponse       = "imi-resp" // the tag parameter of a response signature
	HeaderOrigin      = "IMI-Origin"
	HeaderDestination = "IMI-Destination"

	headerSignatureInput = "Signature-Input"
	headerSignature      = "Signature"
	// The canonical keys of IMI-Origin and IMI-Destination, to index
	// http.Header directly: Get and Set would build them on every call.
	canonicalOrigin      = "Imi-Origin"
	canonicalDestination = "Imi-Destination"
)

// Bounds that keep parsing cheap whatever a peer sends.
const (
	maxSignatureHeader = 8 << 10 // bytes of Signature-Input or Signature, all lines
	maxComponents      = 16
	maxSignatureBytes  = 128 // an SM2 DER signature is at most 72 bytes
	minNonce, maxNonce = 16, 64
)

// errNoSignature means the message carries no "imi" signature at all.
var errNoSignature = errors.New("no " + Label + " signature")

// component is one covered component identifier, e.g. "@path" or
// "signature";req;key="imi".
type component struct {
	name string
	req  bool   // the ;req flag: take the value from the request (responses only)
	key  string // the ;key parameter: one member of a dictionary field
	id   string // its serialization, as it appears in the signature base
}

// sigParams is one parsed Signature-Input member.
type sigParams struct {
	components []component
	created    int64
	expires    int64 // 0 when absent
	nonce      string
	keyid      string
	alg        string // "" when absent
	tag        string
	serialized string // the @signature-params value
}

// signature is the "imi" signature of a message.
type signature struct {
	params sigParams
	value  []byte
	member string // serialized Signature member, covered by a response as "signature";req;key="imi"
}

// parseSignature extracts the "imi" signature of a message from its headers.
func parseSignature(h http.Header) (*signature, error) {
	inputs, sigs := h[headerSignatureInput], h[headerSignature]
	if s, ok := fastSignature(inputs, sigs); ok {
		return s, nil
	}
	return parseSignatureGeneral(inputs, sigs)
}

// parseSignatureGeneral parses any RFC 8941 form of the two fields.
func parseSignatureGeneral(inputs, sigs []string) (*signature, error) {
	if len(inputs) == 0 && len(sigs) == 0 {
		return nil, errNoSignature
	}
	if totalLen(inputs) > maxSignatureHeader || totalLen(sigs) > maxSignatureHeader {
		return nil, fmt.Errorf("Signature-Input or Signature is longer than %d bytes", maxSignatureHeader)
	}
	inDict, err := httpsfv.UnmarshalDictionary(inputs)
	if err != nil {
		return nil, fmt.Errorf("Signature-Input is not a structured-field dictionary: %v", err)
	}
	sigDict, err := httpsfv.UnmarshalDictionary(sigs)
	if err != nil {
		return nil, fmt.Errorf("Signature is not a structured-field dictionary: %v", err)
	}
	in, okIn := inDict.Get(Label)
	sv, okSig := sigDict.Get(Label)
	switch {
	case !okIn && !okSig:
		return nil, fmt.Errorf("%w (labels present: %v)", errNoSignature, inDict.Names())
	case !okIn:
		return nil, fmt.Errorf("Signature has an %q member but Signature-Input has none", Label)
	case !okSig:
		return nil, fmt.Errorf("Signature-Input has an %q member but Signature has none", Label)
	}
	list, ok := in.(httpsfv.InnerList)
	if !ok {
		return nil, fmt.Errorf("Signature-Input %q must be an inner list of components", Label)
	}
	p, err := parseParams(list)
	if err != nil {
		return nil, err
	}
	item, ok := sv.(httpsfv.Item)
	if !ok {
		return nil, fmt.Errorf("Signature %q must be a byte sequence", Label)
	}
	value, ok := item.Value.([]byte)
	if !ok || len(value) == 0 || len(value) > maxSignatureBytes {
		return nil, fmt.Errorf("Signature %q must be a byte sequence of 1 to %d bytes (an SM2 DER signature)", Label, maxSignatureBytes)
	}
	return &signature{params: *p, value: value, member: serializeMember(item)}, nil
}

// serializeMember is the RFC 8941 serialization of a byte-sequence member,
// with its parameters.
func serializeMember(item httpsfv.Item) string {
	if len(item.Params.Names()) == 0 {
		return ":" + base64.StdEncoding.EncodeToString(item.Value.([]byte)) + ":"
	}
	s, _ := httpsfv.Marshal(item) // a parsed item always serializes
	return s
}

func totalLen(lines []string) int {
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	return n
}

// parseParams checks the shape of a Signature-Input member: known component
// names, no duplicates, and the parameters the profile requires.
func parseParams(list httpsfv.InnerList) (*sigParams, error) {
	if len(list.Items) == 0 || len(list.Items) > maxComponents {
		return nil, fmt.Errorf("Signature-Input %q must cover 1 to %d components", Label, maxComponents)
	}
	p := &sigParams{}
	seen := make(map[string]bool, len(list.Items))
	for _, it := range list.Items {
		c, err := parseComponent(it)
		if err != nil {
			return nil, err
		}
		if seen[c.id] {
			return nil, fmt.Errorf("component %s is covered twice", c.id)
		}
		seen[c.id] = true
		p.components = append(p.components, c)
	}
	for _, name := range list.Params.Names() {
		v, _ := list.Params.Get(name)
		var ok bool
		switch name {
		case "created":
			p.created, ok = v.(int64)
			ok = ok && p.created > 0
		case "expires":
			p.expires, ok = v.(int64)
			ok = ok && p.expires > 0
		case "nonce":
			p.nonce, ok = v.(string)
			ok = ok && validNonce(p.nonce)
		case "keyid":
			p.keyid, ok = v.(string)
			ok = ok && validServerID(p.keyid)
		case "alg":
			p.alg, ok = v.(string)
			ok = ok && p.alg == Algorithm
		case "tag":
			p.tag, ok = v.(string)
		default:
			ok = true // RFC 9421 lets unknown parameters through; they are signed all the same
		}
		if !ok {
			return nil, fmt.Errorf("signature parameter %q has a bad value %v: %s", name, v, paramRule(name))
		}
	}
	for _, r := range []struct {
		name    string
		missing bool
	}{{"created", p.created == 0}, {"nonce", p.nonce == ""}, {"keyid", p.keyid == ""}, {"tag", p.tag == ""}} {
		if r.missing {
			return nil, fmt.Errorf("signature parameter %q is missing: %s", r.name, paramRule(r.name))
		}
	}
	s, err := httpsfv.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("Signature-Input %q: %v", Label, err)
	}
	p.serialized = s
	return p, nil
}

func paramRule(name string) string {
	switch name {
	case "created", "expires":
		return "a positive integer, seconds since the Unix epoch"
	case "nonce":
		return fmt.Sprintf("a string of %d to %d characters from A-Z a-z 0-9 - _", minNonce, maxNonce)
	case "keyid":
		return "the origin's serverId"
	case "alg":
		return "only " + Algorithm + " is supported"
	default:
		return "the tag " + TagRequest + " or " + TagResponse
	}
}

func parseComponent(it httpsfv.Item) (component, error) {
	name, ok := it.Value.(string)
	if !ok || name == "" || name != strings.ToLower(name) {
		return component{}, fmt.Errorf("covered component %v must be a lowercase string", it.Value)
	}
	c := component{name: name}
	for _, pn := range it.Params.Names() {
		v, _ := it.Params.Get(pn)
		switch pn {
		case "req":
			c.req, ok = v.(bool)
		case "key":
			c.key, ok = v.(string)
		default:
			ok = false
		}
		if !ok {
			return component{}, fmt.Errorf("component %q has an unsupported parameter %q (only req and key are)", name, pn)
		}
	}
	if strings.HasPrefix(name, "@") {
		if !derivedComponents[name] || c.key != "" {
			return component{}, fmt.Errorf("derived component %q is not supported (only @method, @path, @query, @status)", name)
		}
	}
	if len(it.Params.Names()) == 0 && !strings.ContainsAny(name, `"\`) {
		c.id = `"` + name + `"` // what httpsfv.Marshal gives, without its cost
		return c, nil
	}
	id, err := httpsfv.Marshal(it)
	if err != nil {
		return component{}, err
	}
	c.id = id
	return c, nil
}

var derivedComponents = map[string]bool{"@method": true, "@path": true, "@query": true, "@status": true}

func validNonce(s string) bool {
	if len(s) < minNonce || len(s) > maxNonce {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIDChar(s[i]) {
			return false
		}
	}
	return true
}

// validServerID is pki.ValidateServerID == nil without its regexp, for
// the hot path: 1 to 64 letters, digits, '-' or '_'.
func validServerID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIDChar(s[i]) {
			return false
		}
	}
	return true
}

func isIDChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

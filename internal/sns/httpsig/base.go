package httpsig

import (
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/dunglas/httpsfv"
)

// message is what a signature base is computed from: a request, or a
// response together with the request it answers.
type message struct {
	method, path string // requests
	rawQuery     string // requests: the query as sent, without the "?"
	status       int    // responses
	header       http.Header
	request      *message // for ;req components of a response
}

func requestMessage(method string, u *url.URL, h http.Header) *message {
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return &message{method: method, path: path, rawQuery: u.RawQuery, header: h}
}

// appendSignatureBase appends the RFC 9421 §2.5 signature base to dst: one
// line per covered component, then the @signature-params line, no final
// newline.
func appendSignatureBase(dst []byte, m *message, p *sigParams) ([]byte, error) {
	start := len(dst)
	for _, c := range p.components {
		dst = append(dst, c.id...)
		dst = append(dst, ": "...)
		var err error
		if dst, err = appendComponentValue(dst, m, c); err != nil {
			return dst[:start], err
		}
		dst = append(dst, '\n')
	}
	dst = append(dst, `"@signature-params": `...)
	dst = append(dst, p.serialized...)
	for _, b := range dst[start:] {
		if b > 0x7e || b < 0x20 && b != '\n' {
			return dst[:start], fmt.Errorf("the signature base has a non-printable or non-ASCII byte 0x%02x (RFC 9421 §2.5)", b)
		}
	}
	return dst, nil
}

// basePool recycles signature-base buffers: a base lives only while SM2
// sign or verify hashes it, and they keep no reference to it.
var basePool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// newBase builds the signature base of m into a pooled buffer; hand it back
// with freeBase once signed or verified.
func newBase(m *message, p *sigParams) (*[]byte, error) {
	bp := basePool.Get().(*[]byte)
	base, err := appendSignatureBase((*bp)[:0], m, p)
	*bp = base
	if err != nil {
		freeBase(bp)
		return nil, err
	}
	return bp, nil
}

func freeBase(bp *[]byte) {
	if cap(*bp) <= 64<<10 { // don't let one huge header pin memory
		*bp = (*bp)[:0]
		basePool.Put(bp)
	}
}

func appendComponentValue(dst []byte, m *message, c component) ([]byte, error) {
	if c.req {
		if m.request == nil {
			return dst, fmt.Errorf("component %s: ;req is only meaningful in a response", c.id)
		}
		m = m.request
	}
	switch c.name {
	case "@method":
		return append(dst, m.method...), requestOnly(m, c)
	case "@path":
		return append(dst, m.path...), requestOnly(m, c)
	case "@query":
		return append(append(dst, '?'), m.rawQuery...), requestOnly(m, c)
	case "@status":
		if m.status == 0 {
			return dst, fmt.Errorf("component %s is only meaningful in a response", c.id)
		}
		return strconv.AppendInt(dst, int64(m.status), 10), nil
	}
	lines := m.header[fieldName(c.name)]
	if len(lines) == 0 {
		return dst, fmt.Errorf("component %s is covered but the %s header is absent", c.id, c.name)
	}
	if c.key != "" {
		v, err := dictionaryMember(lines, c)
		return append(dst, v...), err
	}
	for i, l := range lines {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, strings.TrimSpace(l)...)
	}
	return dst, nil
}

// fieldName is the canonical header key of a component name, without
// textproto's allocation for the fields the profile covers.
func fieldName(name string) string {
	switch name {
	case "content-digest":
		return headerContentDigest
	case "imi-origin":
		return canonicalOrigin
	case "imi-destination":
		return canonicalDestination
	case "signature":
		return headerSignature
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

func requestOnly(m *message, c component) error {
	if m.method == "" {
		return fmt.Errorf("component %s is only meaningful in a request", c.id)
	}
	return nil
}

// dictionaryMember is the value of a ;key component (RFC 9421 §2.1.2): the
// re-serialized member of a dictionary field.
func dictionaryMember(lines []string, c component) (string, error) {
	if totalLen(lines) > maxSignatureHeader {
		return "", fmt.Errorf("component %s: the header is longer than %d bytes", c.id, maxSignatureHeader)
	}
	if len(lines) == 1 {
		if _, member, ok := fastBytesMember(lines[0], c.key); ok {
			return member, nil
		}
	}
	return dictionaryMemberGeneral(lines, c)
}

// dictionaryMemberGeneral parses any RFC 8941 form of the dictionary.
func dictionaryMemberGeneral(lines []string, c component) (string, error) {
	d, err := httpsfv.UnmarshalDictionary(lines)
	if err != nil {
		return "", fmt.Errorf("component %s: the header is not a dictionary: %v", c.id, err)
	}
	mem, ok := d.Get(c.key)
	if !ok {
		return "", fmt.Errorf("component %s: the header has no %q member", c.id, c.key)
	}
	s, ok := mem.(httpsfv.StructuredFieldValue)
	if !ok {
		return "", fmt.Errorf("component %s: unserializable member", c.id)
	}
	return httpsfv.Marshal(s)
}

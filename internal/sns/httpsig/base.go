package httpsig

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dunglas/httpsfv"
)

// message is what a signature base is computed from: a request, or a
// response together with the request it answers.
type message struct {
	method, path, query string // requests
	status              int    // responses
	header              http.Header
	request             *message // for ;req components of a response
}

func requestMessage(method string, u *url.URL, h http.Header) *message {
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return &message{method: method, path: path, query: "?" + u.RawQuery, header: h}
}

// signatureBase builds the RFC 9421 §2.5 signature base: one line per
// covered component, then the @signature-params line, no final newline.
func signatureBase(m *message, p *sigParams) ([]byte, error) {
	var b strings.Builder
	for _, c := range p.components {
		v, err := componentValue(m, c)
		if err != nil {
			return nil, err
		}
		b.WriteString(c.id)
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteByte('\n')
	}
	b.WriteString(`"@signature-params": `)
	b.WriteString(p.serialized)
	s := b.String()
	for i := 0; i < len(s); i++ {
		if s[i] > 0x7e || s[i] < 0x20 && s[i] != '\n' {
			return nil, fmt.Errorf("the signature base has a non-printable or non-ASCII byte 0x%02x (RFC 9421 §2.5)", s[i])
		}
	}
	return []byte(s), nil
}

func componentValue(m *message, c component) (string, error) {
	if c.req {
		if m.request == nil {
			return "", fmt.Errorf("component %s: ;req is only meaningful in a response", c.id)
		}
		m = m.request
	}
	switch c.name {
	case "@method":
		return m.method, requestOnly(m, c)
	case "@path":
		return m.path, requestOnly(m, c)
	case "@query":
		return m.query, requestOnly(m, c)
	case "@status":
		if m.status == 0 {
			return "", fmt.Errorf("component %s is only meaningful in a response", c.id)
		}
		return strconv.Itoa(m.status), nil
	}
	lines := m.header.Values(c.name)
	if len(lines) == 0 {
		return "", fmt.Errorf("component %s is covered but the %s header is absent", c.id, c.name)
	}
	if c.key != "" {
		return dictionaryMember(lines, c)
	}
	vals := make([]string, len(lines))
	for i, l := range lines {
		vals[i] = strings.TrimSpace(l)
	}
	return strings.Join(vals, ", "), nil
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

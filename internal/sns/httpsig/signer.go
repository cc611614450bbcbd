package httpsig

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
)

// Signer signs requests and responses as one server: its serverId is the
// origin (IMI-Origin and keyid); the peer finds the certificate in the
// directory by that serverId.
type Signer struct {
	serverID string
	key      *sm2.PrivateKey
	now      func() time.Time
	nonce    func() (string, error)
}

// NewSigner returns a Signer for the server that cert names (its serverId
// binding), signing with key, which must be cert's private key.
func NewSigner(key *sm2.PrivateKey, cert *smx509.Certificate) (*Signer, error) {
	if key == nil || cert == nil {
		return nil, errors.New("httpsig: a signer needs both the SM2 private key and its certificate")
	}
	id, err := pki.ServerIDFromCertificate(cert)
	if err != nil {
		return nil, fmt.Errorf("httpsig: the certificate names no serverId: %w", err)
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !key.PublicKey.Equal(pub) {
		return nil, fmt.Errorf("httpsig: the private key does not match the certificate of %q: use the key its CSR was made with", id)
	}
	return &Signer{serverID: id, key: key, now: time.Now, nonce: randomNonce}, nil
}

// ServerID is the serverId this Signer signs as.
func (s *Signer) ServerID() string { return s.serverID }

// randomNonce is 128 random bits, base64url without padding (22 characters).
func randomNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// requestComponents and responseComponents are what the profile covers, in
// this order. Verifiers require at least these.
var (
	requestComponents  = []string{"@method", "@path", "@query", "content-digest", "imi-origin", "imi-destination"}
	responseComponents = []string{"@status", "content-digest", "imi-origin", "imi-destination"}
)

// coverage is a list of components a signer covers, with its serialization
// (the inner list without parameters), computed once.
type coverage struct {
	components []component
	serialized string
}

func newCoverage(names ...string) coverage {
	var c coverage
	for i, n := range names {
		comp := component{name: n, id: `"` + n + `"`}
		if n == boundComponent {
			comp = component{name: "signature", req: true, key: Label, id: boundComponent}
		}
		if i > 0 {
			c.serialized += " "
		}
		c.serialized += comp.id
		c.components = append(c.components, comp)
	}
	c.serialized = "(" + c.serialized + ")"
	return c
}

// The coverages a Signer uses: a request's, and a response's with or without
// the caller (IMI-Destination) and the binding to its signature.
var (
	requestCoverage  = newCoverage(requestComponents...)
	responseCoverage = [2][2]coverage{
		{newCoverage(responseComponents[:3]...), newCoverage(append(responseComponents[:3:3], boundComponent)...)},
		{newCoverage(responseComponents...), newCoverage(append(responseComponents[:4:4], boundComponent)...)},
	}
)

// SignRequest signs req as a call to destination (a serverId): it sets
// IMI-Origin, IMI-Destination, Content-Digest, Signature-Input and Signature.
// It reads the body and replaces it with an in-memory copy.
func (s *Signer) SignRequest(req *http.Request, destination string) error {
	if !validServerID(destination) {
		return fmt.Errorf("httpsig: destination: %w", pki.ValidateServerID(destination))
	}
	body, err := readRequestBody(req)
	if err != nil {
		return err
	}
	h := req.Header
	if h == nil {
		h = make(http.Header)
		req.Header = h
	}
	h[canonicalOrigin] = []string{s.serverID}
	h[canonicalDestination] = []string{destination}
	h[headerContentDigest] = []string{ContentDigest(body)}
	return s.signMessage(requestMessage(req.Method, req.URL, h), &requestCoverage, TagRequest)
}

// readRequestBody returns the body and leaves req with a fresh reader over it.
func readRequestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	body, err := readBody(req.Body, req.ContentLength)
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("httpsig: reading the request body to sign it: %w", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.ContentLength = int64(len(body))
	return body, nil
}

// SignResponse signs a response to req with the given status and body,
// setting its headers in h. When req carries an "imi" signature that parses,
// the response covers it ("signature";req;key="imi"), which binds the answer
// to that request; IMI-Destination names the request's origin when it is a
// valid serverId. A refusal of an unparseable request is thus still signed
// by this server, but bound to nothing (docs/PROTOCOL.md, section 3).
func (s *Signer) SignResponse(h http.Header, status int, body []byte, req *http.Request) error {
	return s.signResponse(h, status, ContentDigest(body), req)
}

// signResponse is SignResponse for a body whose Content-Digest field value
// is already known (a streamed body).
func (s *Signer) signResponse(h http.Header, status int, digest string, req *http.Request) error {
	h[canonicalOrigin] = []string{s.serverID}
	delete(h, canonicalDestination)
	toCaller, bound := 0, 0
	if caller := firstValue(req.Header, canonicalOrigin); validServerID(caller) {
		h[canonicalDestination] = []string{caller}
		toCaller = 1
	}
	h[headerContentDigest] = []string{digest}
	m := &message{status: status, header: h, request: requestMessage(req.Method, req.URL, req.Header)}
	if _, err := parseSignature(req.Header); err == nil {
		bound = 1
	}
	return s.signMessage(m, &responseCoverage[toCaller][bound], TagResponse)
}

// firstValue is h.Get(key) for a key already in canonical form.
func firstValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// boundComponent names the request's signature in a response.
const boundComponent = `"signature";req;key="` + Label + `"`

// signMessage computes the parameters and the signature base for cov's
// components of m and sets Signature-Input and Signature on m.header.
func (s *Signer) signMessage(m *message, cov *coverage, tag string) error {
	nonce, err := s.nonce()
	if err != nil {
		return fmt.Errorf("httpsig: making a nonce: %w", err)
	}
	// Every value here is a constant, an integer or a string restricted to
	// A-Z a-z 0-9 - _ (serverIds, base64url nonces), so this concatenation is
	// the canonical RFC 8941 serialization that verifiers rebuild.
	const algTag = `";alg="` + Algorithm + `";tag="`
	var b strings.Builder
	b.Grow(len(Label) + 1 + len(cov.serialized) + len(";created=") + 20 + len(`;nonce=""`) + len(nonce) +
		len(`;keyid=`) + len(s.serverID) + len(algTag) + len(tag) + 1)
	b.WriteString(Label + "=")
	b.WriteString(cov.serialized)
	b.WriteString(";created=")
	var num [20]byte
	b.Write(strconv.AppendInt(num[:0], s.now().Unix(), 10))
	b.WriteString(`;nonce="`)
	b.WriteString(nonce)
	b.WriteString(`";keyid="`)
	b.WriteString(s.serverID)
	b.WriteString(algTag)
	b.WriteString(tag)
	b.WriteByte('"')
	input := b.String()
	p := sigParams{components: cov.components, serialized: input[len(Label)+1:]}
	base, err := newBase(m, &p)
	if err != nil {
		return fmt.Errorf("httpsig: %w", err)
	}
	sig, err := pki.Sign(s.key, *base)
	freeBase(base)
	if err != nil {
		return fmt.Errorf("httpsig: signing: %w", err)
	}
	m.header[headerSignatureInput] = []string{input}
	m.header[headerSignature] = []string{byteSequenceMember(sig)}
	return nil
}

// byteSequenceMember is `imi=:<base64 of b>:`, in one allocation.
func byteSequenceMember(b []byte) string {
	var buf [len(Label) + 3 + (maxSignatureBytes+2)/3*4]byte
	n := copy(buf[:], Label+"=:")
	if len(b) > maxSignatureBytes {
		return Label + "=:" + base64.StdEncoding.EncodeToString(b) + ":"
	}
	base64.StdEncoding.Encode(buf[n:], b)
	n += base64.StdEncoding.EncodedLen(len(b))
	buf[n] = ':'
	return string(buf[:n+1])
}

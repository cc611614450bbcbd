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

// SignRequest signs req as a call to destination (a serverId): it sets
// IMI-Origin, IMI-Destination, Content-Digest, Signature-Input and Signature.
// It reads the body and replaces it with an in-memory copy.
func (s *Signer) SignRequest(req *http.Request, destination string) error {
	if err := pki.ValidateServerID(destination); err != nil {
		return fmt.Errorf("httpsig: destination: %w", err)
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
	h.Set(HeaderOrigin, s.serverID)
	h.Set(HeaderDestination, destination)
	h.Set(headerContentDigest, ContentDigest(body))
	return s.signMessage(requestMessage(req.Method, req.URL, h), requestComponents, TagRequest)
}

// readRequestBody returns the body and leaves req with a fresh reader over it.
func readRequestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(req.Body)
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
	h.Set(HeaderOrigin, s.serverID)
	h.Del(HeaderDestination)
	components := responseComponents[:3]
	if caller := req.Header.Get(HeaderOrigin); pki.ValidateServerID(caller) == nil {
		h.Set(HeaderDestination, caller)
		components = responseComponents
	}
	h.Set(headerContentDigest, digest)
	m := &message{status: status, header: h, request: requestMessage(req.Method, req.URL, req.Header)}
	if _, err := parseSignature(req.Header); err == nil {
		components = append(components[:len(components):len(components)], boundComponent)
	}
	return s.signMessage(m, components, TagResponse)
}

// boundComponent names the request's signature in a response.
const boundComponent = `"signature";req;key="` + Label + `"`

// signMessage computes the parameters and the signature base for the given
// components of m and sets Signature-Input and Signature on m.header.
func (s *Signer) signMessage(m *message, names []string, tag string) error {
	nonce, err := s.nonce()
	if err != nil {
		return fmt.Errorf("httpsig: making a nonce: %w", err)
	}
	// Every value here is a constant, an integer or a string restricted to
	// A-Z a-z 0-9 - _ (serverIds, base64url nonces), so this concatenation is
	// the canonical RFC 8941 serialization that verifiers rebuild.
	p := sigParams{}
	var b strings.Builder
	b.WriteByte('(')
	for i, n := range names {
		c := component{name: n, id: `"` + n + `"`}
		if n == boundComponent {
			c = component{name: "signature", req: true, key: Label, id: boundComponent}
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c.id)
		p.components = append(p.components, c)
	}
	fmt.Fprintf(&b, `);created=%d;nonce="%s";keyid="%s";alg="%s";tag="%s"`, s.now().Unix(), nonce, s.serverID, Algorithm, tag)
	p.serialized = b.String()
	base, err := signatureBase(m, &p)
	if err != nil {
		return fmt.Errorf("httpsig: %w", err)
	}
	sig, err := pki.Sign(s.key, base)
	if err != nil {
		return fmt.Errorf("httpsig: signing: %w", err)
	}
	m.header.Set(headerSignatureInput, Label+"="+p.serialized)
	m.header.Set(headerSignature, Label+"=:"+base64.StdEncoding.EncodeToString(sig)+":")
	return nil
}

package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emmansun/gmsm/sm2"

	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// maxAnswer bounds an answer read into memory.
const maxAnswer = 16 << 20

// discoveryDestination is the IMI-Destination of a request to a server
// known by address only (docs/PROTOCOL.md, section 7).
const discoveryDestination = "unknown"

// session is the suite's way to the target: it signs requests exactly as
// a case asks, including wrongly, and authenticates every answer.
type session struct {
	cfg    Config
	signer *httpsig.Signer // the suite's identity
	target Target
	http   http.RoundTripper
	// joined: the suite's user is a member of the test group (G2.apply
	// made it one, G4.quit ends it; the cases run one at a time).
	joined bool

	mu          sync.Mutex
	verifiers   map[string]*httpsig.Verifier // by the serverId a request was signed as
	strangerKey *sm2.PrivateKey
}

func newSession(ctx context.Context, cfg Config) (*session, error) {
	signer, err := httpsig.NewSigner(cfg.Key, cfg.Cert)
	if err != nil {
		return nil, fmt.Errorf("conformance: the suite's identity: %w", err)
	}
	base := strings.TrimRight(cfg.Target.BaseURL, "/")
	if !ids.IsBaseURL(base) {
		return nil, fmt.Errorf("conformance: target base URL %q: want http(s)://host[:port][/path]", cfg.Target.BaseURL)
	}
	if cfg.Target.ServerID != "" {
		if err := pki.ValidateServerID(cfg.Target.ServerID); err != nil {
			return nil, fmt.Errorf("conformance: target serverId: %w", err)
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.HTTP == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DisableCompression = true
		cfg.HTTP = t
	}
	s := &session{cfg: cfg, signer: signer, target: Target{ServerID: cfg.Target.ServerID, BaseURL: base}, http: cfg.HTTP, verifiers: map[string]*httpsig.Verifier{}}
	if s.target.ServerID == "" {
		id, err := s.discover(ctx)
		if err != nil {
			return nil, err
		}
		s.target.ServerID = id
	}
	return s, nil
}

func (s *session) self() string { return s.signer.ServerID() }

// skewedSigner signs as the suite with a clock off by d.
func (s *session) skewedSigner(d time.Duration) (*httpsig.Signer, error) {
	sg, err := httpsig.NewSigner(s.cfg.Key, s.cfg.Cert)
	if err != nil {
		return nil, err
	}
	sg.SetClock(func() time.Time { return time.Now().Add(d) })
	return sg, nil
}

// strangerSigner signs as serverID with a key made for this run, which no
// certificate holds.
func (s *session) strangerSigner(serverID string) (*httpsig.Signer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.strangerKey == nil {
		k, err := pki.GenerateKey()
		if err != nil {
			return nil, err
		}
		s.strangerKey = k
	}
	return httpsig.NewKeySigner(s.strangerKey, serverID)
}

func (s *session) has(n Need) bool {
	switch n {
	case NeedUser:
		return s.cfg.User != ""
	case NeedGroup:
		return s.cfg.Group != ""
	}
	return false
}

// discover learns the target's serverId as imictl's client does: a
// request for destination "unknown" is refused with wrong_destination,
// signed by the target as its serverId and bound to the request.
func (s *session) discover(ctx context.Context) (string, error) {
	req, err := s.request(ctx, call{method: http.MethodGet, path: "/sns/find/users?queryStr=conformance", dest: discoveryDestination})
	if err != nil {
		return "", err
	}
	a, err := s.exchange(req)
	if err != nil {
		return "", err
	}
	id := a.header.Get(httpsig.HeaderOrigin)
	if f, err := parseObject(a.body); a.status != http.StatusMisdirectedRequest || err != nil || string(f["reason"]) != `"wrong_destination"` {
		return "", fmt.Errorf("the target at %s answered a request for destination %q with %s, not 421 wrong_destination (docs/PROTOCOL.md 7), so its serverId cannot be learned: is it an IM server's interconnection address? Pass its serverId with --to to test it anyway", s.target.BaseURL, discoveryDestination, a.describe())
	}
	if pki.ValidateServerID(id) != nil {
		return "", fmt.Errorf("the target at %s did not say which server it is: its answer (%s) carries no valid %s; is it an interconnection endpoint? Pass its serverId with --to", s.target.BaseURL, a.describe(), httpsig.HeaderOrigin)
	}
	if err := s.authenticate(a, id); err != nil {
		return "", fmt.Errorf("the target at %s answered as %q, but that answer could not be authenticated: %w", s.target.BaseURL, id, err)
	}
	return id, nil
}

// call is a request as a case wants it sent.
type call struct {
	method string
	path   string // absolute, with the query: "/sns/users?userID=a%40b"
	body   []byte
	header http.Header // extra headers; Content-Type defaults to JSON for a body

	unsigned bool            // send no signature at all
	unbound  bool            // alter leaves no usable signature: the answer binds to nothing
	signer   *httpsig.Signer // sign as another identity (default: the suite's)
	dest     string          // IMI-Destination (default: the target)
	// alter changes the signed request before it is sent (a tampered
	// body, query or header); it may replace the body it is given.
	alter func(req *http.Request, body []byte) []byte
}

// request builds and signs c.
func (s *session) request(ctx context.Context, c call) (*sentRequest, error) {
	req, err := http.NewRequestWithContext(ctx, c.method, s.target.BaseURL+c.path, bytes.NewReader(c.body))
	if err != nil {
		return nil, fmt.Errorf("conformance: building %s %s: %w", c.method, c.path, err)
	}
	if c.body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	req.Header.Set("User-Agent", "imictl-conformance")
	req.Header.Set("Accept", "application/json")
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json;charset=utf-8")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	signer := c.signer
	if signer == nil {
		signer = s.signer
	}
	dest := c.dest
	if dest == "" {
		dest = s.target.ServerID
	}
	if !c.unsigned {
		if err := signer.SignRequest(req, dest); err != nil {
			return nil, fmt.Errorf("conformance: signing %s %s: %w", c.method, c.path, err)
		}
	}
	body := c.body
	if c.alter != nil {
		body = c.alter(req, body)
	}
	return &sentRequest{req: req, body: body, signer: signer, unbound: c.unsigned || c.unbound}, nil
}

// sentRequest is a request ready to be sent, possibly more than once (a
// replay sends the very same bytes again).
type sentRequest struct {
	req     *http.Request
	body    []byte
	signer  *httpsig.Signer
	unbound bool // no usable signature: the answer is signed but bound to nothing
}

// answer is the target's response, read whole.
type answer struct {
	req    *sentRequest
	status int
	header http.Header
	body   []byte
}

// exchange sends r once and reads the answer.
func (s *session) exchange(r *sentRequest) (*answer, error) {
	ctx, cancel := context.WithTimeout(r.req.Context(), s.cfg.Timeout)
	defer cancel()
	req := r.req.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(r.body))
	req.ContentLength = int64(len(r.body))
	if r.body == nil {
		req.Body = http.NoBody
	}
	resp, err := s.http.RoundTrip(req)
	if err != nil {
		return nil, &client.UnreachableError{Peer: s.target.BaseURL, URL: req.URL.String(), Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", req.Method, req.URL.RequestURI(), err)
	}
	if len(body) > maxAnswer {
		return nil, fmt.Errorf("%s %s: the answer exceeds %d bytes", req.Method, req.URL.RequestURI(), maxAnswer)
	}
	return &answer{req: r, status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// authenticate checks that a was signed by peer and bound to the request
// it answers (docs/PROTOCOL.md 3.4, 3.5), as the request's signer would.
func (s *session) authenticate(a *answer, peer string) error {
	v, err := s.verifier(a.req.signer.ServerID())
	if err != nil {
		return err
	}
	resp := &http.Response{StatusCode: a.status, Header: a.header}
	return v.VerifyResponse(a.req.req, resp, a.body, peer)
}

// verifier authenticates answers to requests signed as self.
func (s *session) verifier(self string) (*httpsig.Verifier, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.verifiers[self]; v != nil {
		return v, nil
	}
	opts := s.cfg.Verify
	opts.Self = self
	v, err := httpsig.NewVerifier(opts)
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	s.verifiers[self] = v
	return v, nil
}

// describe is the answer in a few words, for failure messages.
func (a *answer) describe() string {
	body := strings.TrimSpace(string(a.body))
	if len(body) > 200 {
		body = body[:200] + "..."
	}
	if body == "" {
		body = "(empty body)"
	}
	return fmt.Sprintf("HTTP %d %s", a.status, body)
}

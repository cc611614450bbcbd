package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/lenient"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// RawResponse is a peer's authenticated answer.
type RawResponse struct {
	Peer     string // the serverId that signed it
	Status   int
	Header   http.Header
	Body     []byte
	JSON     bool     // Body is JSON (Content-Type application/json, or a body that parses as an object)
	Envelope Envelope // parsed from Body when JSON
}

// Envelope is the result frame of both envelopes: /sns ({"code":0,"error":""})
// and the management interfaces' ({"code":"0","desc":"OK"}).
type Envelope struct {
	Code   lenient.Int `json:"code"`
	Error  string      `json:"error"`
	Desc   string      `json:"desc"`
	Reason string      `json:"reason"`
}

// Message is the envelope's text: error, else desc.
func (e Envelope) Message() string {
	if e.Error != "" {
		return e.Error
	}
	return e.Desc
}

// CallOption changes one call.
type CallOption func(*callOptions)

type callOptions struct {
	raw **RawResponse
}

// Raw makes a typed call store the peer's answer in *dst, also when the
// peer refused the call (*APIError), so that it can be shown as received.
func Raw(dst **RawResponse) CallOption { return func(o *callOptions) { o.raw = dst } }

// Call sends any request to peer: path is relative to the interface prefix
// ("chat", "find/users?queryStr=a") or, when it starts with "/", the whole
// path ("/sns/v1/chat"). body, when not nil, is sent as JSON. The answer is
// authenticated; when the peer refused the call, Call returns both the
// answer and an *APIError.
func (c *Client) Call(ctx context.Context, peer Peer, method, path string, body []byte) (*RawResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	o, err := c.open(ctx, peer, method, path, body)
	if err != nil {
		return nil, err
	}
	return c.finish(o)
}

// call is Call for the typed methods: the answer must be JSON, and is
// decoded into v (nil to check only the envelope).
func (c *Client) call(ctx context.Context, peer Peer, method, path string, body []byte, v any, opts []CallOption) error {
	var co callOptions
	for _, opt := range opts {
		opt(&co)
	}
	raw, err := c.Call(ctx, peer, method, path, body)
	if co.raw != nil {
		*co.raw = raw
	}
	if err != nil {
		return err
	}
	if !raw.JSON {
		return fmt.Errorf("%s answered %s %s with %q, not JSON: is %s its interconnection address?", raw.Peer, method, path, raw.Header.Get("Content-Type"), peer.BaseURL)
	}
	if v != nil {
		if err := lenient.Unmarshal(raw.Body, v); err != nil {
			return fmt.Errorf("%s answered %s %s with a body this client cannot read: %w", raw.Peer, method, path, err)
		}
	}
	return nil
}

// opened is a response whose headers are authenticated and whose body is
// still to be read through check.
type opened struct {
	peer    string // the serverId that signed the response
	method  string
	path    string
	req     *http.Request // as sent, signed
	reqBody []byte
	resp    *http.Response
	check   *httpsig.BodyCheck
}

// open sends the request and authenticates the response's headers. For a
// peer known only by address, it learns the serverId first (package
// documentation).
func (c *Client) open(ctx context.Context, peer Peer, method, path string, body []byte) (*opened, error) {
	target, err := c.target(peer, path)
	if err != nil {
		return nil, err
	}
	dest := peer.ServerID
	if dest == "" {
		dest = c.learnedID(peer.BaseURL)
	}
	if dest != "" {
		return c.send(ctx, peer, dest, method, path, target, body)
	}
	o, err := c.send(ctx, peer, DiscoveryDestination, method, path, target, body)
	if err != nil {
		return nil, err
	}
	// The headers are authenticated as signed by o.peer: that is who
	// answers at this address.
	c.learn(peer.BaseURL, o.peer)
	if o.resp.StatusCode != http.StatusMisdirectedRequest {
		return o, nil // the peer's serverId is DiscoveryDestination itself
	}
	_, err = c.finish(o)
	var ae *httpsig.AuthError
	if errors.As(err, &ae) && ae.Reason == httpsig.ReasonWrongDestination {
		return c.send(ctx, peer, o.peer, method, path, target, body)
	}
	return nil, err
}

// send makes one exchange with dest. With dest DiscoveryDestination the
// response is authenticated as coming from whoever signed it.
func (c *Client) send(ctx context.Context, peer Peer, dest, method, path, target string, body []byte) (*opened, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, fmt.Errorf("request to %s: %w", peer, err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/json, application/octet-stream")
	if body != nil {
		req.Header.Set("Content-Type", "application/json;charset=utf-8")
	}
	if err := c.cfg.Signer.SignRequest(req, dest); err != nil {
		return nil, err
	}
	resp, err := c.cfg.Base.RoundTrip(req)
	if err != nil {
		c.trace(req, body, nil, nil)
		return nil, &UnreachableError{Peer: peer.String(), URL: target, Err: err}
	}
	o := &opened{peer: dest, method: method, path: path, req: req, reqBody: body, resp: resp}
	if dest == DiscoveryDestination {
		o.peer = resp.Header.Get(httpsig.HeaderOrigin)
		if pki.ValidateServerID(o.peer) != nil {
			c.discard(o)
			return nil, &httpsig.AuthError{Side: httpsig.SideResponse, Reason: httpsig.ReasonSignatureMissing,
				Status: httpsig.ReasonSignatureMissing.Status(), Peer: peer.String(),
				Message: fmt.Sprintf("the answer (HTTP %d) does not say which server signed it: is %s an interconnection endpoint?", resp.StatusCode, peer.BaseURL)}
		}
	}
	o.check, err = c.verifier.VerifyResponseHeaders(req, resp, o.peer)
	if err != nil {
		if dest == DiscoveryDestination {
			// The peer's refusal of the probe says nothing useful: the
			// failure is that we cannot authenticate who answers there.
			c.discard(o)
			return nil, err
		}
		return nil, c.reject(o, err)
	}
	return o, nil
}

// reject handles a response whose headers failed authentication: a refusal
// by the peer is still reported with its reason, marked unverified.
func (c *Client) reject(o *opened, verr error) error {
	body, rerr := readBody(o.resp, c.cfg.MaxResponse)
	c.trace(o.req, o.reqBody, o.resp, body)
	if rerr == nil && o.resp.StatusCode >= 400 {
		if env, ok := parseEnvelope(o.resp.Header, body); ok && httpsig.Reason(env.Reason).Known() {
			return &httpsig.AuthError{Side: httpsig.SideRequest, Reason: httpsig.Reason(env.Reason), Status: o.resp.StatusCode,
				Message: env.Message(), Peer: o.peer, Reported: true, Unverified: verr.Error()}
		}
	}
	return verr
}

// discard reads a bounded part of a rejected answer, for the trace only.
func (c *Client) discard(o *opened) {
	body, _ := readBody(o.resp, c.cfg.MaxResponse)
	c.trace(o.req, o.reqBody, o.resp, body)
}

// finish reads and authenticates the body and classifies the answer.
func (c *Client) finish(o *opened) (*RawResponse, error) {
	body, err := readBody(o.resp, c.cfg.MaxResponse)
	c.trace(o.req, o.reqBody, o.resp, body)
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s to %s %s: %w", o.peer, o.method, o.path, err)
	}
	o.check.Write(body)
	if err := o.check.Verify(); err != nil {
		return nil, err
	}
	raw := &RawResponse{Peer: o.peer, Status: o.resp.StatusCode, Header: o.resp.Header, Body: body}
	raw.Envelope, raw.JSON = parseEnvelope(o.resp.Header, body)
	if raw.Status >= 400 && raw.JSON && httpsig.Reason(raw.Envelope.Reason).Known() {
		return nil, &httpsig.AuthError{Side: httpsig.SideRequest, Reason: httpsig.Reason(raw.Envelope.Reason), Status: raw.Status,
			Message: raw.Envelope.Message(), Peer: o.peer, Reported: true}
	}
	if raw.Status >= 300 || (raw.JSON && raw.Envelope.Code != 0) {
		e := &APIError{Peer: o.peer, Method: o.method, Path: o.req.URL.RequestURI(), Status: raw.Status, Code: int(raw.Envelope.Code),
			Reason: raw.Envelope.Reason, Message: raw.Envelope.Message()}
		if !raw.JSON {
			e.Message = fmt.Sprintf("HTTP %d with a %q body", raw.Status, raw.Header.Get("Content-Type"))
		}
		return raw, e
	}
	return raw, nil
}

func (c *Client) trace(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	if c.cfg.Trace != nil {
		c.cfg.Trace(req, reqBody, resp, respBody)
	}
}

// target is the URL of path at peer.
func (c *Client) target(peer Peer, path string) (string, error) {
	base := strings.TrimRight(peer.BaseURL, "/")
	if err := checkBaseURL(base); err != nil {
		return "", fmt.Errorf("peer %s: %w", peer, err)
	}
	if !strings.HasPrefix(path, "/") {
		path = c.cfg.Prefix + "/" + path
	}
	return base + path, nil
}

// checkBaseURL accepts http(s)://host[:port][/path].
func checkBaseURL(s string) error {
	if !ids.IsBaseURL(s) {
		return fmt.Errorf("base URL %q: want http(s)://host[:port][/path]", s)
	}
	return nil
}

// readBody reads resp's body, refusing more than max bytes.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > max {
		return nil, fmt.Errorf("the answer is %d bytes, more than the %d this client reads", resp.ContentLength, max)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("the answer exceeds the %d bytes this client reads", max)
	}
	return body, nil
}

// parseEnvelope reads the envelope of a JSON body. A body is JSON when its
// Content-Type says so or, lacking one, when it is a JSON object.
func parseEnvelope(h http.Header, body []byte) (Envelope, bool) {
	var env Envelope
	ct, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if ct != "application/json" && ct != "" {
		return env, false
	}
	if lenient.Decode(body, &env) != nil {
		return Envelope{}, false
	}
	return env, true
}

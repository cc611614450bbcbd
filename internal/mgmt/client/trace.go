package client

import (
	"bytes"
	"io"
	"net/http"
)

// TraceFunc sees every exchange with the management server (for
// --verbose): the request as sent, signature headers included, with its
// body, and the response with its body (resp and respBody are nil when the
// server could not be reached). It has the shape of the sns client's
// TraceFunc, so that one function traces both.
type TraceFunc func(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte)

// tracer is the RoundTripper under every call when a TraceFunc is given:
// it sees the bytes on the wire, after signing and before verification.
type tracer struct {
	base  http.RoundTripper
	trace TraceFunc
}

func (t *tracer) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		t.trace(req, reqBody, nil, nil)
		return nil, err
	}
	// Read one byte more than any caller accepts, so that an answer too
	// large is still seen as such.
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	resp.Body.Close()
	t.trace(req, reqBody, resp, body)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

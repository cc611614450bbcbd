// Package adminclient calls the local admin API of a running reference IM
// server (package imserver) over its unix socket, for `imictl im ...`:
// users, messages (with files streamed both ways), friends, groups, the
// outbox, the white/black lists, the directory, and queries of other
// servers made as this server. The contract is package adminapi.
package adminclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// DialTimeout bounds connecting to the socket. A socket nobody listens on
// fails at once (no such file, connection refused), so this only bounds a
// server too busy to take the connection: generous, so that a loaded
// machine is not taken for a stopped server.
const DialTimeout = 2 * time.Second

// ErrNotRunning: nothing answers on the socket.
var ErrNotRunning = errors.New("the IM server is not running")

// Client calls one server's admin API. It is safe for concurrent use.
type Client struct {
	socket string
	http   *http.Client
}

// New returns a client of the socket at path (imserver.SocketPath of the
// data directory). It does not connect yet: Status does.
func New(path string) *Client {
	d := net.Dialer{Timeout: DialTimeout}
	return &Client{socket: path, http: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", path)
		},
		MaxIdleConns:       4,
		DisableCompression: true,
	}}}
}

// Close releases idle connections.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

// Error is a refusal by the server: the HTTP status, the stable reason
// (imserver's Reason* words, httpsig's for a refused call to another
// server) and the message. It matches the store's sentinels with
// errors.Is (imstore.ErrNotFound for "not_found", ...).
type Error struct {
	Status  int
	Reason  string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Is matches the store's error kinds by reason.
func (e *Error) Is(target error) bool {
	switch e.Reason {
	case "not_found", "unknown_user", "unknown_group":
		return target == imstore.ErrNotFound
	case "bad_request", "not_local":
		return target == imstore.ErrInvalid
	case "conflict", "group_dissolved":
		return target == imstore.ErrState || target == imstore.ErrExists
	case "not_permitted", "verify_refused", "not_member", "not_owner", "not_admin", "invite_not_allowed", "not_invited", "wrong_sender":
		return target == imstore.ErrForbidden
	case "too_large":
		return target == imstore.ErrTooLarge
	case "file_mismatch":
		return target == imstore.ErrMismatch
	}
	return false
}

// Status describes the running server; it fails with ErrNotRunning (and
// the dial error) when no server listens on the socket.
func (c *Client) Status(ctx context.Context) (adminapi.Status, error) {
	var out adminapi.Status
	return out, c.call(ctx, http.MethodGet, adminapi.PathStatus, nil, nil, &out)
}

// call sends a JSON request (body nil for none) and decodes the JSON
// answer into out.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	resp, err := c.do(ctx, method, path, q, rd, "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("the IM server's answer to %s %s is unreadable: %w", method, path, err)
	}
	return nil
}

// do sends a request and returns a successful response; a failure is an
// *Error, or ErrNotRunning when nothing listens.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body io.Reader, contentType string) (*http.Response, error) {
	u := "http://imserver" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, fmt.Errorf("%w (no answer on %s): start it with `imictl serve`, or check --data-dir: %w", ErrNotRunning, c.socket, err)
		}
		return nil, err
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	var eb adminapi.ErrorBody
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if json.Unmarshal(b, &eb) != nil || eb.Error == "" {
		eb.Error = fmt.Sprintf("the IM server answered %s %s with HTTP %d: %.200s", method, path, resp.StatusCode, b)
	}
	return nil, &Error{Status: resp.StatusCode, Reason: eb.Reason, Message: eb.Error}
}

// query builds parameters from name, value pairs, leaving out empty values.
func query(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	return q
}

// pageQuery is user, after and limit.
func pageQuery(user string, after uint64, limit int) url.Values {
	q := query("user", user)
	if after > 0 {
		q.Set("after", strconv.FormatUint(after, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}

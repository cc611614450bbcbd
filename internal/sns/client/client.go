// Package client calls the interconnection interfaces of peer IM servers
// (the standard's §6.4, S1–S9): every request is signed as this server and
// every response authenticated before it is believed (docs/PROTOCOL.md,
// section 3). The reference IM server's delivery workers and `imictl sns`
// both use it.
//
// # Peers
//
// A Peer is a serverId and the base URL its interfaces live under. Ids of
// the form user@serverId name a peer through the management server's
// directory (Client.PeerFor looks its serverAddress up); ids of the form
// user@host:port name it by address only (PeerForAddress), and its serverId
// is then learned on the first call:
//
//   - the request is sent, signed, with IMI-Destination "unknown"
//     (DiscoveryDestination); a peer named otherwise refuses it with
//     wrong_destination before reading the body, and signs that refusal, as
//     every response, with its own serverId as keyid, bound to our request;
//   - the refusal is authenticated like any response, as coming from the
//     serverId in its keyid: that server's certificate must be in the
//     directory, chain to the root, be unrevoked and bound to that serverId,
//     and the server's status must be 0; our white/black list applies;
//   - the request is then sent again to that serverId, and the pair
//     (base URL, serverId) remembered.
//
// So an address never makes an unregistered server trusted: it only saves
// the directory lookup of where a registered server is.
//
// # Errors
//
// A call that fails authentication, in either direction, returns an
// *httpsig.AuthError (find it with errors.As). A peer that answers with the
// standard's failure envelope (code 1) returns an *APIError. A peer that
// cannot be reached returns an *UnreachableError. Other errors mean a
// malformed answer or a bad argument.
//
// Group interfaces (G1–G12) will follow the same pattern: one typed method
// per endpoint over Client.call (Client.post for JSON bodies).
package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Path prefixes the standard allows (§6.2.7): every peer serves both.
const (
	PrefixSNS   = "/sns"
	PrefixSNSV1 = "/sns/v1"
)

// DiscoveryDestination is the IMI-Destination of a first call to a peer
// known only by its address (see the package documentation).
const DiscoveryDestination = "unknown"

// TraceFunc sees every exchange with a peer: the request as sent (signed
// headers included) with its body, and the response with its body (nil
// when streamed, as for downloads, or when resp is nil because the peer
// could not be reached).
type TraceFunc func(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte)

// Config configures a Client. Signer and Verify are required.
type Config struct {
	// Signer signs every request; its serverId is the caller.
	Signer *httpsig.Signer
	// Verify configures the authentication of responses: Resolver (the
	// directory), Roots, CRL or NoRevocationCheck, Policy, Skew. Self is
	// set to the Signer's serverId.
	Verify httpsig.Options
	// Base carries the requests; default: a transport like
	// http.DefaultTransport without redirects or transparent compression.
	Base http.RoundTripper
	// Timeout bounds a call other than a download; default 30 seconds.
	Timeout time.Duration
	// DownloadTimeout bounds a download; default 30 minutes.
	DownloadTimeout time.Duration
	// MaxResponse bounds a JSON response body; default 16 MiB.
	MaxResponse int64
	// Prefix is where the peer's interfaces are: PrefixSNS (default) or
	// PrefixSNSV1.
	Prefix string
	// UserAgent is sent with every request; default "imictl".
	UserAgent string
	// Trace, when set, sees every exchange (for --verbose).
	Trace TraceFunc
}

// Client calls peers. It is safe for concurrent use.
type Client struct {
	cfg      Config
	verifier *httpsig.Verifier

	mu      sync.Mutex
	learned map[string]string // base URL -> serverId, for peers known by address
}

// maxLearned bounds the memory of peers learned by address.
const maxLearned = 1024

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Signer == nil {
		return nil, errors.New("client: Config.Signer is required: requests are always signed")
	}
	cfg.Verify.Self = cfg.Signer.ServerID()
	v, err := httpsig.NewVerifier(cfg.Verify)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	switch cfg.Prefix {
	case "":
		cfg.Prefix = PrefixSNS
	case PrefixSNS, PrefixSNSV1:
	default:
		return nil, fmt.Errorf("client: Config.Prefix %q: want %q or %q", cfg.Prefix, PrefixSNS, PrefixSNSV1)
	}
	if cfg.Base == nil {
		cfg.Base = defaultTransport()
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.DownloadTimeout <= 0 {
		cfg.DownloadTimeout = 30 * time.Minute
	}
	if cfg.MaxResponse <= 0 {
		cfg.MaxResponse = 16 << 20
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "imictl"
	}
	return &Client{cfg: cfg, verifier: v, learned: map[string]string{}}, nil
}

// ServerID is the serverId the client signs as.
func (c *Client) ServerID() string { return c.cfg.Signer.ServerID() }

func defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// The signature covers the body as sent; let nothing re-encode it.
	t.DisableCompression = true
	t.ResponseHeaderTimeout = 30 * time.Second
	// Keep a connection for every call in flight to a peer (imictl bench
	// makes dozens at once): Go keeps only 2 idle per host and closes the
	// others as each call ends, so most calls would dial again.
	t.MaxIdleConnsPerHost = t.MaxIdleConns
	return t
}

// Peer is a server to call: its serverId ("" when known by address only,
// see the package documentation) and the base URL of its interfaces, e.g.
// https://restapi.example.com (the directory's serverAddress).
type Peer struct {
	ServerID string
	BaseURL  string
}

// String names the peer in messages.
func (p Peer) String() string {
	switch {
	case p.ServerID == "":
		return p.BaseURL
	case p.BaseURL == "":
		return p.ServerID
	}
	return p.ServerID + " (" + p.BaseURL + ")"
}

// PeerForAddress is the peer of an id's host:port form, at
// scheme://host:port; scheme "" means https on port 443 and http
// otherwise. A directory-form address has no base URL: use Client.PeerFor.
func PeerForAddress(a wire.Address, scheme string) (Peer, error) {
	if a.IsDirectory() {
		return Peer{}, fmt.Errorf("%s names server %q: look its address up in the directory (Client.PeerFor)", a, a.ServerID)
	}
	if scheme == "" {
		scheme = "http"
		if a.Port == 443 {
			scheme = "https"
		}
	}
	return Peer{BaseURL: scheme + "://" + net.JoinHostPort(a.Host, strconv.Itoa(int(a.Port)))}, nil
}

// PeerFor finds serverID's base URL through the directory (the Resolver of
// Config.Verify). A server whose status is not 0 is not called: the error
// is an *httpsig.AuthError (server_suspended, server_cancelled), as the
// answer would be.
func (c *Client) PeerFor(ctx context.Context, serverID string) (Peer, error) {
	info, err := c.cfg.Verify.Resolver.Resolve(ctx, serverID)
	if err != nil {
		return Peer{}, fmt.Errorf("looking %q up in the directory: %w", serverID, err)
	}
	switch info.Status {
	case httpsig.StatusNormal:
	case httpsig.StatusCancelled:
		return Peer{}, &httpsig.AuthError{Side: httpsig.SideRequest, Reason: httpsig.ReasonServerCancelled, Status: httpsig.ReasonServerCancelled.Status(),
			Peer: serverID, Message: fmt.Sprintf("the directory says %q is cancelled: not calling it", serverID)}
	default:
		return Peer{}, &httpsig.AuthError{Side: httpsig.SideRequest, Reason: httpsig.ReasonServerSuspended, Status: httpsig.ReasonServerSuspended.Status(),
			Peer: serverID, Message: fmt.Sprintf("the directory says %q has status %d (suspended), not 0: not calling it", serverID, info.Status)}
	}
	if info.Address == "" {
		return Peer{}, fmt.Errorf("the directory has no serverAddress for %q: ask its operator to register one, or give the URL", serverID)
	}
	return Peer{ServerID: serverID, BaseURL: strings.TrimRight(info.Address, "/")}, nil
}

// learnedID returns the serverId learned for baseURL, or "".
func (c *Client) learnedID(baseURL string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.learned[baseURL]
}

func (c *Client) learn(baseURL, serverID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.learned) >= maxLearned {
		clear(c.learned)
	}
	c.learned[baseURL] = serverID
}

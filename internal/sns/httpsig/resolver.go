package httpsig

import (
	"context"
	"errors"
	"fmt"

	"github.com/emmansun/gmsm/smx509"
)

// Server statuses of the directory (the standard's table 1, serverStatus).
const (
	StatusNormal    = 0
	StatusSuspended = 1
	StatusCancelled = 2
)

// ServerInfo is what the verifier needs to know about a peer.
type ServerInfo struct {
	ServerID    string
	Status      int // StatusNormal, StatusSuspended or StatusCancelled
	Certificate *smx509.Certificate
	Address     string // interface base URL, e.g. https://restapi.example.com
}

// ErrUnknownServer is what a Resolver returns (wrapped or not) when the
// directory has no such server.
var ErrUnknownServer = errors.New("unknown server")

// Resolver finds a server's directory record: the management server's
// directory in production (through a CachingResolver), StaticResolver in
// tests and for bootstrapping.
type Resolver interface {
	Resolve(ctx context.Context, serverID string) (*ServerInfo, error)
}

// StaticResolver is a fixed directory.
type StaticResolver map[string]*ServerInfo

// Resolve implements Resolver.
func (s StaticResolver) Resolve(_ context.Context, serverID string) (*ServerInfo, error) {
	if info, ok := s[serverID]; ok {
		return info, nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownServer, serverID)
}

// Chain asks each resolver in turn and returns the first record found; it
// moves on only when a resolver does not know the server. Typical use: a
// StaticResolver holding the management server in front of the directory.
func Chain(resolvers ...Resolver) Resolver { return chain(resolvers) }

type chain []Resolver

func (c chain) Resolve(ctx context.Context, serverID string) (*ServerInfo, error) {
	for _, r := range c {
		info, err := r.Resolve(ctx, serverID)
		if !errors.Is(err, ErrUnknownServer) {
			return info, err
		}
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownServer, serverID)
}

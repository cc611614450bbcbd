package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// Resolve implements httpsig.Resolver over the directory: a server's
// record with a signed M1 query restricted to it (status, address), and
// its certificate with M2, checked against the root. A cancelled server's
// record comes without a certificate when none is served. The management
// server itself is known from M2 alone. Put an httpsig.CachingResolver in
// front: every call is a query.
func (p *Public) Resolve(ctx context.Context, serverID string) (*httpsig.ServerInfo, error) {
	if serverID == p.o.MgmtID {
		if p.roots == nil {
			return nil, errors.New("client: resolving the management server needs the pinned root (--root, or imictl dir bootstrap)")
		}
		return p.mgmtInfo(ctx)
	}
	resp, err := p.Servers(ctx, api.ServersQuery{ServerIDs: []string{serverID}})
	if err != nil {
		return nil, fmt.Errorf("directory query (M1) for %q: %w", serverID, err)
	}
	for _, rec := range resp.Servers {
		if rec.ServerID != serverID {
			continue
		}
		info := &httpsig.ServerInfo{ServerID: serverID, Status: rec.Status, Address: rec.ServerAddress}
		cert, err := p.ServerCert(ctx, serverID)
		if err != nil && rec.Status != api.ServerCancelled {
			return nil, fmt.Errorf("fetching the certificate of %q (M2): %w", serverID, err)
		}
		info.Certificate = cert
		return info, nil
	}
	return nil, fmt.Errorf("%w %q: the management server at %s does not list it", httpsig.ErrUnknownServer, serverID, p.o.BaseURL)
}

// CRLHolder is the holder of the CRL this client checks the management
// server against (PublicOptions.CRL, or its own): give it to a verifier
// that resolves peers through this client, so that both use one CRL.
func (p *Public) CRLHolder() *httpsig.CRLHolder { return p.crls }

// Run keeps the CRL current in the background until ctx ends (every 5
// minutes, or the holder's own Refresh interval), so that a long-running
// process does not wait for a stale one to be fetched again on demand, and
// learns of revocations within minutes. A process whose holder runs
// elsewhere (PublicOptions.CRL) need not call it.
func (p *Public) Run(ctx context.Context) { p.crls.Run(ctx) }

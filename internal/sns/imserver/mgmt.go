package imserver

import (
	"context"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/api"
)

// Mgmt is the management server as an IM server uses it. The production
// one is the management server's public client (mgmt/client.Public, built
// from Config.MgmtURL), whose signed calls share the server's CRL holder
// and renew the management server's certificate as it ages.
type Mgmt interface {
	// Servers is M1, signed by this server: the directory records changed
	// after q.LastQueryTime, restricted to q.ServerIDs when given.
	Servers(ctx context.Context, q api.ServersQuery) (api.ServersResponse, error)
	// ServerCert is M2: the current certificate of a server (the
	// management server's own included).
	ServerCert(ctx context.Context, serverID string) (*smx509.Certificate, error)
	// FetchCRL fetches the current CRL of the interconnection CA.
	FetchCRL(ctx context.Context) (*smx509.RevocationList, error)
}

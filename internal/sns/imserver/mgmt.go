package imserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/api"
	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/sns/client"
)

// Mgmt is the management server as an IM server uses it. The production
// one (mgmtClient) calls Config.MgmtURL; tests may give their own in
// Config.Mgmt.
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

// mgmtClient is the production Mgmt: M2 and the CRL through the
// management server's public client, which checks both against the root;
// M1 with the server's own signed client, whose verifier knows the
// management server through the directory and checks it against the CRL
// the server keeps current (mgmtclient.Public's own signed calls keep the
// first CRL and certificate they fetched).
type mgmtClient struct {
	public *mgmtclient.Public
	calls  *client.Client
	peer   client.Peer
}

// Servers implements Mgmt.
func (m *mgmtClient) Servers(ctx context.Context, q api.ServersQuery) (api.ServersResponse, error) {
	var r api.ServersResponse
	body, err := json.Marshal(q)
	if err != nil {
		return r, err
	}
	raw, err := m.calls.Call(ctx, m.peer, http.MethodPost, client.PathServers, body)
	if err != nil {
		return r, fmt.Errorf("directory query (M1): %w", err)
	}
	if err := json.Unmarshal(raw.Body, &r); err != nil {
		return r, fmt.Errorf("directory query (M1): the answer is not a server list: %w", err)
	}
	if !r.Succeeded() {
		return r, fmt.Errorf("directory query (M1): the management server says %q (reason %q)", r.Desc, r.Reason)
	}
	return r, nil
}

// ServerCert implements Mgmt.
func (m *mgmtClient) ServerCert(ctx context.Context, serverID string) (*smx509.Certificate, error) {
	return m.public.ServerCert(ctx, serverID)
}

// FetchCRL implements Mgmt.
func (m *mgmtClient) FetchCRL(ctx context.Context) (*smx509.RevocationList, error) {
	return m.public.FetchCRL(ctx)
}

package mgmt

import (
	"context"
	"errors"
	"fmt"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// Servers lists every registered server, cancelled ones included.
func (s *Service) Servers(context.Context) ([]store.Server, error) { return s.st.ListServers() }

// Server returns one registered server.
func (s *Service) Server(_ context.Context, id string) (store.Server, error) {
	return s.st.GetServer(id)
}

// Suspend sets a server's status to 1 (an administrator's reversible
// action): its signed calls are refused with server_suspended and every
// other server is notified.
func (s *Service) Suspend(_ context.Context, serverID, actor string) (store.Server, error) {
	srv, err := s.st.SetStatus(actor, serverID, store.StatusNormal, store.StatusSuspended)
	if err != nil {
		return srv, err
	}
	s.changed()
	return srv, nil
}

// Resume sets a suspended server's status back to 0, notifies every other
// server, and makes the notifications held for it while it was suspended
// due now.
func (s *Service) Resume(_ context.Context, serverID, actor string) (store.Server, error) {
	srv, err := s.st.SetStatus(actor, serverID, store.StatusSuspended, store.StatusNormal)
	if err != nil {
		return srv, err
	}
	if _, err := s.st.RetryDestination(actor, serverID); err != nil {
		return srv, fmt.Errorf("%s resumed, but rescheduling its notifications failed: %w", serverID, err)
	}
	s.changed()
	return srv, nil
}

// Directory answers M1: the servers changed after q.LastQueryTime (all of
// them for 0), cancelled ones included, restricted to q.ServerIDs when
// given, and the serverTime to send as the next lastQueryTime.
func (s *Service) Directory(_ context.Context, q api.ServersQuery) (api.ServersResponse, error) {
	if err := q.Validate(); err != nil {
		return api.ServersResponse{}, invalid(err)
	}
	servers, serverTime, err := s.st.ChangedSince(q.LastQueryTime, q.ServerIDs)
	if err != nil {
		return api.ServersResponse{}, err
	}
	resp := api.ServersResponse{Envelope: api.OK(), Servers: make([]api.ServerRecord, len(servers)), ServerTime: serverTime}
	for i, srv := range servers {
		resp.Servers[i] = DirectoryRecord(srv)
	}
	return resp, nil
}

// DirectoryRecord is a server as M1 shows it.
func DirectoryRecord(srv store.Server) api.ServerRecord {
	return api.ServerRecord{
		ServerID:      srv.ServerID,
		ServerName:    srv.ServerName,
		ProductType:   srv.ServerType,
		ServerAddress: srv.ServerAddress,
		Status:        int(srv.Status),
		ContactName:   srv.ContactName,
		ContactEmail:  srv.ContactEmail,
		ContactMobile: srv.ContactMobile,
		Area:          srv.Area,
	}
}

// ServerCert answers M2: the current certificate (DER) of a registered
// server whatever its status (a verifier checks status and revocation
// itself), or the management server's own when serverID is its identity.
func (s *Service) ServerCert(_ context.Context, serverID string) ([]byte, error) {
	if c := s.loadedCA(); c != nil && serverID == c.SelfID {
		return c.Self.Raw, nil
	}
	cert, err := s.st.ServerCertificate(serverID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &store.NotFoundError{Kind: "server certificate", Key: serverID}
	}
	return cert.DER, err
}

// loadedCA is the CA if it is loaded already; it never asks for it.
func (s *Service) loadedCA() *ca.CA {
	s.caMu.Lock()
	defer s.caMu.Unlock()
	return s.ca
}

package api

import (
	"encoding/json"

	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/lenient"
)

// Server status values (table 1, serverStatus).
const (
	ServerNormal    = 0
	ServerSuspended = 1 // an administrator action, reversible
	ServerCancelled = 2 // final; the serverId is never reused
)

// ServerRecord is one server of the directory, as M1 returns it. The source
// names the product type "serverType" in table 1 and "productType" in M1,
// and the status "serverStatus" in table 1 and "status" (a number) in M1:
// we emit the M1 spellings and accept the table 1 ones too.
type ServerRecord struct {
	ServerID      string `json:"serverId" lenient:"trim"`
	ServerName    string `json:"serverName"`
	ProductType   string `json:"productType" alias:"serverType"`
	ServerAddress string `json:"serverAddress"`
	Status        int    `json:"status" alias:"serverStatus"`
	ContactName   string `json:"contactName"`
	ContactEmail  string `json:"contactEmail"`
	ContactMobile string `json:"contactMobile"`
	Area          string `json:"area,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (s *ServerRecord) UnmarshalJSON(b []byte) error { return lenient.Decode(b, s) }

// Validate checks what a directory client relies on.
func (s *ServerRecord) Validate() error {
	if err := checkServerID("serverId", s.ServerID); err != nil {
		return err
	}
	if s.Status < ServerNormal || s.Status > ServerCancelled {
		return lenient.Errorf("status", "want 0 (normal), 1 (suspended) or 2 (cancelled), got "+itoa(int64(s.Status)))
	}
	if s.Status == ServerCancelled {
		return nil // a tombstone: the other fields may be gone
	}
	return checkServerAddress("serverAddress", s.ServerAddress)
}

// ServersQuery is the body of M1, POST /sns/restApi/managerserver/servers.
// No serverIds means all servers; LastQueryTime (ms since the Unix epoch,
// 0 for everything) asks only for records changed after it.
type ServersQuery struct {
	ServerIDs     []string `json:"serverIds" lenient:"trim"`
	LastQueryTime int64    `json:"lastQueryTime"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (q *ServersQuery) UnmarshalJSON(b []byte) error { return lenient.Decode(b, q) }

// MarshalJSON emits "serverIds":[] rather than null.
func (q ServersQuery) MarshalJSON() ([]byte, error) {
	type plain ServersQuery
	q.ServerIDs = lenient.NonNil(q.ServerIDs)
	return json.Marshal(plain(q))
}

// Validate checks the ids and the time.
func (q *ServersQuery) Validate() error {
	for i, id := range q.ServerIDs {
		if err := checkServerID("serverIds["+itoa(int64(i))+"]", id); err != nil {
			return err
		}
	}
	if q.LastQueryTime < 0 {
		return lenient.Errorf("lastQueryTime", "want milliseconds since 1970 or 0, got "+itoa(q.LastQueryTime))
	}
	return nil
}

// ServersResponse answers M1. ServerTime (ms) is the next LastQueryTime.
type ServersResponse struct {
	Envelope
	Servers    []ServerRecord `json:"servers"`
	ServerTime int64          `json:"serverTime"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *ServersResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// MarshalJSON emits "servers":[] rather than null.
func (r ServersResponse) MarshalJSON() ([]byte, error) {
	type plain ServersResponse
	r.Servers = lenient.NonNil(r.Servers)
	return json.Marshal(plain(r))
}

// GetServerCertRequest is the body of M2, POST /sns/restApi/getservercert
// (unauthenticated).
type GetServerCertRequest struct {
	ServerID string `json:"serverId" lenient:"trim"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *GetServerCertRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks serverId.
func (r *GetServerCertRequest) Validate() error { return checkServerID("serverId", r.ServerID) }

// GetServerCertResponse answers M2 with the certificate in PEM.
type GetServerCertResponse struct {
	Envelope
	ServerCert string `json:"serverCert"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *GetServerCertResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// ReceiveNotifyRequest is the body of M3, POST
// /sns/restApi/imServer/servermgr/receivenotify, which each IM server serves
// and the management server calls when ServerID was added, modified or
// cancelled.
type ReceiveNotifyRequest struct {
	ServerID string `json:"serverId" lenient:"trim"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *ReceiveNotifyRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks serverId.
func (r *ReceiveNotifyRequest) Validate() error { return checkServerID("serverId", r.ServerID) }

// ReceiveNotifyResponse answers M3. The source copies serverCert into this
// response too; an IM server may leave it out.
type ReceiveNotifyResponse struct {
	Envelope
	ServerCert string `json:"serverCert,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *ReceiveNotifyResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

func checkServerID(field, id string) error {
	if err := ids.ValidateServerID(id); err != nil {
		return lenient.Errorf(field, err.Error())
	}
	return nil
}

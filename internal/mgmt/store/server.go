package store

import (
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
	"github.com/imictl/imictl/internal/ids"
)

// Status is serverStatus of table 1 of the standard.
type Status int

const (
	StatusNormal    Status = 0
	StatusSuspended Status = 1
	StatusCancelled Status = 2
)

func (s Status) String() string {
	switch s {
	case StatusNormal:
		return "normal"
	case StatusSuspended:
		return "suspended"
	case StatusCancelled:
		return "cancelled"
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// ServerFields are the registration fields of table 1 that an applicant
// sets and may later modify (everything but serverId and status), plus the
// owner id required at registration. JSON names are the wire names.
type ServerFields struct {
	ServerName    string `json:"serverName"`
	ServerAddress string `json:"serverAddress"`
	ContactName   string `json:"contactName"`
	ContactEmail  string `json:"contactEmail"`
	ContactMobile string `json:"contactMobile"`
	ServerType    string `json:"serverType,omitempty"`
	Area          string `json:"area,omitempty"`
	OwnerID       string `json:"ownerId"`
}

// FieldNames are the wire names of ServerFields, in table order; a modify
// application names the fields it changes with these.
var FieldNames = []string{"serverName", "serverAddress", "contactName", "contactEmail", "contactMobile", "serverType", "area", "ownerId"}

// optionalFields may be empty; all others are required.
var optionalFields = map[string]bool{"serverType": true, "area": true}

func (f *ServerFields) field(name string) *string {
	switch name {
	case "serverName":
		return &f.ServerName
	case "serverAddress":
		return &f.ServerAddress
	case "contactName":
		return &f.ContactName
	case "contactEmail":
		return &f.ContactEmail
	case "contactMobile":
		return &f.ContactMobile
	case "serverType":
		return &f.ServerType
	case "area":
		return &f.Area
	case "ownerId":
		return &f.OwnerID
	}
	return nil
}

// Server is a registered server: created when its registration is approved,
// kept (with status 2) after cancellation so that directory caches learn of it.
type Server struct {
	ServerID string `json:"serverId"`
	ServerFields
	Status     Status    `json:"status"`
	CertSerial string    `json:"certSerial,omitempty"` // its current certificate
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	// ChangedAt is the store's change clock (ms) at the server's last
	// change: a directory query with lastQueryTime < ChangedAt returns it.
	ChangedAt int64 `json:"changedAt"`
}

// Tombstone marks a serverId that was cancelled and can never be reused.
type Tombstone struct {
	ServerID    string    `json:"serverId"`
	CancelledAt time.Time `json:"cancelledAt"`
	Application string    `json:"application"` // the cancel application that retired it
}

// checkServerID applies the serverId rule shared with the wire packages.
func checkServerID(field, id string) error {
	if err := ids.ValidateServerID(id); err != nil {
		return &ValidationError{Field: field, Problem: err.Error()}
	}
	return nil
}

// putServer writes srv as changed now: it advances the change clock, moves
// the server in the change index and keeps the active index in step. The
// caller queues the change notifications (notifyAll).
func (t *txn) putServer(srv *Server) error {
	changes := t.b(bucketServerChanges)
	if srv.ChangedAt != 0 {
		if err := changes.Delete(boltdb.U64(uint64(srv.ChangedAt))); err != nil {
			return err
		}
	}
	at, err := t.tick()
	if err != nil {
		return err
	}
	srv.ChangedAt = at
	srv.UpdatedAt = t.now
	id := []byte(srv.ServerID)
	if err := changes.Put(boltdb.U64(uint64(at)), id); err != nil {
		return err
	}
	active := t.b(bucketServersActive)
	if srv.Status == StatusNormal {
		err = active.Put(id, nil)
	} else {
		err = active.Delete(id)
	}
	if err != nil {
		return err
	}
	return boltdb.Put(t.b(bucketServers), id, *srv)
}

// changeServer stores a changed server and notifies the others of it.
func (t *txn) changeServer(srv *Server) error {
	if err := t.putServer(srv); err != nil {
		return err
	}
	return t.notifyAll(srv.ServerID)
}

func (t *txn) server(id string) (Server, error) {
	srv, ok, err := boltdb.Get[Server](t.b(bucketServers), []byte(id))
	if err != nil {
		return srv, fmt.Errorf("server %s: %w", id, err)
	}
	if !ok {
		return srv, &NotFoundError{Kind: "server", Key: id}
	}
	return srv, nil
}

func (t *txn) retired(id string) bool {
	return t.b(bucketTombstones).Get([]byte(id)) != nil
}

// GetServer returns the server registered as id.
func (s *Store) GetServer(id string) (Server, error) {
	var srv Server
	err := s.view(func(t *txn) error {
		var err error
		srv, err = t.server(id)
		return err
	})
	return srv, err
}

// ListServers returns every registered server, cancelled ones included,
// ordered by serverId.
func (s *Store) ListServers() ([]Server, error) {
	var out []Server
	err := s.view(func(t *txn) error {
		var err error
		out, err = t.allServers()
		return err
	})
	return out, err
}

func (t *txn) allServers() ([]Server, error) {
	b := t.b(bucketServers)
	var out []Server
	err := b.ForEach(func(k, v []byte) error {
		srv, err := boltdb.Decode[Server](v)
		if err != nil {
			return fmt.Errorf("server %s: %w", k, err)
		}
		out = append(out, srv)
		return nil
	})
	return out, err
}

// SetStatus suspends (0 -> 1) or resumes (1 -> 0) a server, as a
// compare-and-swap: it fails with *StatusConflictError unless the server's
// status is still from. Cancellation goes through a cancel application.
func (s *Store) SetStatus(actor, id string, from, to Status) (Server, error) {
	var srv Server
	if err := requireActor(actor); err != nil {
		return srv, err
	}
	action := map[[2]Status]string{{StatusNormal, StatusSuspended}: ActionServerSuspend, {StatusSuspended, StatusNormal}: ActionServerResume}[[2]Status{from, to}]
	if action == "" {
		return srv, boltdb.Invalid("status change", "%d -> %d; only suspend (0 -> 1) and resume (1 -> 0) are allowed, cancel through a cancel application", from, to)
	}
	err := s.update(func(t *txn) error {
		var err error
		if srv, err = t.server(id); err != nil {
			return err
		}
		if srv.Status == StatusCancelled {
			return serverCancelled(id)
		}
		if srv.Status != from {
			return &StatusConflictError{ServerID: id, Expected: from, Actual: srv.Status}
		}
		srv.Status = to
		if err := t.changeServer(&srv); err != nil {
			return err
		}
		return t.audit(actor, action, id, fmt.Sprintf("status %d -> %d", from, to))
	})
	return srv, err
}

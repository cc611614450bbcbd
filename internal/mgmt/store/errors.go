package store

import (
	"errors"
	"fmt"

	"github.com/imictl/imictl/internal/boltdb"
)

// Sentinel kinds; every error the store returns for a refused operation
// matches one of these with errors.Is, and most carry details in a typed
// error that errors.As can extract.
var (
	ErrAlreadyDecided      = errors.New("application already decided")
	ErrPendingApplication  = errors.New("another application is pending")
	ErrServerExists        = errors.New("serverId already registered")
	ErrServerIDRetired     = errors.New("serverId retired")
	ErrServerCancelled     = errors.New("server cancelled")
	ErrStatusConflict      = errors.New("server status changed")
	ErrCertificateExists   = errors.New("certificate serial already stored")
	ErrAlreadyRevoked      = errors.New("certificate already revoked")
	ErrStaleCRL            = errors.New("CRL number not newer than the current CRL")
	ErrOutboxEntryNotReady = errors.New("outbox entry not pending")
)

// Errors of Open, shared by imictl's stores (see internal/boltdb):
// LockedError when the file is held (errors.Is ErrLocked), with a message
// saying what to do; SchemaTooNewError when a newer imictl wrote it.
var (
	ErrLocked       = boltdb.ErrLocked
	ErrSchemaTooNew = boltdb.ErrSchemaTooNew
)

type (
	LockedError       = boltdb.LockedError
	SchemaTooNewError = boltdb.SchemaTooNewError
)

// Refusals shared with the other store: NotFoundError (errors.Is
// ErrNotFound) and ValidationError (ErrInvalid), from internal/boltdb.
var (
	ErrNotFound = boltdb.ErrNotFound
	ErrInvalid  = boltdb.ErrInvalid
)

type (
	NotFoundError   = boltdb.NotFoundError
	ValidationError = boltdb.ValidationError
)

// AlreadyDecidedError: the compare-and-swap on an application's state failed.
type AlreadyDecidedError struct {
	ID       string
	State    State
	Reviewer string
}

func (e *AlreadyDecidedError) Error() string {
	return fmt.Sprintf("application %s was already %s by %s; nothing was changed", e.ID, e.State, e.Reviewer)
}

func (e *AlreadyDecidedError) Is(target error) bool { return target == ErrAlreadyDecided }

// PendingApplicationError: a serverId has at most one pending application.
type PendingApplicationError struct {
	ServerID string
	ID       string
}

func (e *PendingApplicationError) Error() string {
	return fmt.Sprintf("server %s already has a pending application %s; wait for its review, or ask an administrator to reject it", e.ServerID, e.ID)
}

func (e *PendingApplicationError) Is(target error) bool { return target == ErrPendingApplication }

// StatusConflictError: the server's status is not the one the caller expected.
type StatusConflictError struct {
	ServerID         string
	Expected, Actual Status
}

func (e *StatusConflictError) Error() string {
	return fmt.Sprintf("server %s has status %d (%s), not %d (%s); nothing was changed", e.ServerID, e.Actual, e.Actual, e.Expected, e.Expected)
}

func (e *StatusConflictError) Is(target error) bool { return target == ErrStatusConflict }

func serverExists(id string) error {
	return fmt.Errorf("%w: %s is taken; choose another serverId", ErrServerExists, id)
}

func serverIDRetired(id string) error {
	return fmt.Errorf("%w: %s belonged to a cancelled server and can never be used again; choose another serverId", ErrServerIDRetired, id)
}

func serverCancelled(id string) error {
	return fmt.Errorf("%w: %s is cancelled and cannot be changed or restored; register a new serverId", ErrServerCancelled, id)
}

package imstore

import (
	"errors"
	"fmt"
	"github.com/imictl/imictl/internal/boltdb"
)

// Sentinel kinds; every error the store returns for a refused operation
// matches one of these with errors.Is, and most carry details in a typed
// error that errors.As can extract.
var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid input")
	ErrExists    = errors.New("already exists")
	ErrForbidden = errors.New("not allowed")
	ErrState     = errors.New("wrong state")
	ErrTooLarge  = errors.New("file too large")
	ErrMismatch  = errors.New("file content does not match")
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

// NotFoundError names what was looked up.
type NotFoundError struct {
	Kind string // "user", "friend", "friend request", "message", "file", "outbox item", "directory entry"
	Key  string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no %s %q; check the id, or list them to see what exists", e.Kind, e.Key)
}

func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// ValidationError names the bad field and what is wrong with it.
type ValidationError struct {
	Field   string
	Problem string
}

func (e *ValidationError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Problem) }

func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// ExistsError: a record with that key is already stored.
type ExistsError struct {
	Kind string
	Key  string
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s %q already exists; nothing was changed", e.Kind, e.Key)
}

func (e *ExistsError) Is(target error) bool { return target == ErrExists }

// StateError: a compare-and-swap on a record's state failed.
type StateError struct {
	Kind, Key string
	State     string // the state it is in
	Want      string // the state(s) the operation needs
}

func (e *StateError) Error() string {
	return fmt.Sprintf("%s %s is %s, not %s; nothing was changed", e.Kind, e.Key, e.State, e.Want)
}

func (e *StateError) Is(target error) bool { return target == ErrState }

// ForbiddenError: the caller may not do this to that record.
type ForbiddenError struct{ Reason string }

func (e *ForbiddenError) Error() string { return e.Reason }

func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

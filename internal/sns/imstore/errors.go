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

package imstore

import (
	"errors"
	"fmt"
)

// Sentinel kinds; every error the store returns for a refused operation
// matches one of these with errors.Is, and most carry details in a typed
// error that errors.As can extract.
var (
	ErrLocked       = errors.New("IM database in use")
	ErrSchemaTooNew = errors.New("IM database schema too new")
	ErrNotFound     = errors.New("not found")
	ErrInvalid      = errors.New("invalid input")
	ErrExists       = errors.New("already exists")
	ErrForbidden    = errors.New("not allowed")
	ErrState        = errors.New("wrong state")
	ErrTooLarge     = errors.New("file too large")
	ErrMismatch     = errors.New("file content does not match")
)

// LockedError: another process (or another Open in this one) holds the
// database file; in practice, the IM server is running.
type LockedError struct{ Path string }

func (e *LockedError) Error() string {
	return fmt.Sprintf("the IM database %s is in use by a running IM server; use its admin API (`imictl im ...` does this automatically when the server is running), or stop the server first", e.Path)
}

func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// SchemaTooNewError: the file was written by a newer imictl.
type SchemaTooNewError struct {
	Path         string
	File, Binary uint64
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("the IM database %s has schema version %d, newer than this imictl understands (%d); upgrade imictl, or restore a backup made by this version", e.Path, e.File, e.Binary)
}

func (e *SchemaTooNewError) Is(target error) bool { return target == ErrSchemaTooNew }

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

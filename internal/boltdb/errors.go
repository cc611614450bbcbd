package boltdb

import (
	"errors"
	"fmt"
)

// Kinds of refusal both stores share, for errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid input")
)

// NotFoundError names what was looked up.
type NotFoundError struct {
	Kind string // e.g. "server", "user", "outbox item"
	Key  string // empty for a singleton such as the current CRL
}

func (e *NotFoundError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("no %s stored yet", e.Kind)
	}
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

// Invalid is a *ValidationError for field.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

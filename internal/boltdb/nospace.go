package boltdb

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// ErrNoSpace matches a write that failed because the file could not grow:
// the disk (or the user's quota) is full, or a file size limit is reached.
var ErrNoSpace = errors.New("no space for the database to grow")

// NoSpaceError is a transaction that could not be written for lack of
// space; nothing of it was committed.
type NoSpaceError struct {
	Name, Path string
	Err        error
}

func (e *NoSpaceError) Error() string {
	return fmt.Sprintf("the %s %s cannot grow: the disk is full or a file size limit is reached (%v); nothing of this change was written: free some space and try again", e.Name, e.Path, e.Err)
}

func (e *NoSpaceError) Is(target error) bool { return target == ErrNoSpace }
func (e *NoSpaceError) Unwrap() error        { return e.Err }

// ExplainNoSpace returns err as a *NoSpaceError naming the database (name,
// path) when it is a write that found no room, and err unchanged
// otherwise.
func ExplainNoSpace(name, path string, err error) error {
	if err == nil || !noSpace(err) {
		return err
	}
	return &NoSpaceError{Name: name, Path: path, Err: err}
}

func noSpace(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	// bbolt reports a failed growth of the file ("file resize error",
	// "mmap allocate error") with the system error as text, not wrapped.
	msg := err.Error()
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EFBIG, syscall.EDQUOT} {
		if strings.Contains(msg, errno.Error()) {
			return true
		}
	}
	return false
}

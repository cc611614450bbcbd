package boltdb

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
)

func TestExplainNoSpace(t *testing.T) {
	for _, err := range []error{
		&fs.PathError{Op: "write", Path: "/d/im.db", Err: syscall.ENOSPC},
		fmt.Errorf("file resize error: %s", &fs.PathError{Op: "truncate", Path: "/d/im.db", Err: syscall.EFBIG}),
	} {
		got := ExplainNoSpace("IM database", "/d/im.db", err)
		want := "the IM database /d/im.db cannot grow: the disk is full or a file size limit is reached (" + err.Error() + "); nothing of this change was written: free some space and try again"
		if !errors.Is(got, ErrNoSpace) || got.Error() != want {
			t.Errorf("ExplainNoSpace(%v) = %v", err, got)
		}
	}
	other := errors.New("bucket not found")
	if got := ExplainNoSpace("IM database", "/d/im.db", other); got != other {
		t.Errorf("another error became %v", got)
	}
	if ExplainNoSpace("IM database", "/d/im.db", nil) != nil {
		t.Error("nil became an error")
	}
}

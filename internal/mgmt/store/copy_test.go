package store

import (
	"testing"
)

func TestCopyFromCopiesEverythingAndVerifies(t *testing.T) {
	src, _ := openTest(t)
	register(t, src, "alpha")
	register(t, src, "beta")
	dst, _ := openTest(t)
	if empty, err := dst.IsEmpty(); err != nil || !empty {
		t.Fatalf("a new store: empty %v, %v", empty, err)
	}
	if err := dst.CopyFrom(src); err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, dump(t, src), dump(t, dst))
	if empty, err := dst.IsEmpty(); err != nil || empty {
		t.Fatalf("after the copy: empty %v, %v", empty, err)
	}
	// The copy carries on where the original stopped: the next application
	// id and change clock continue the original's.
	a, err := dst.Submit("applicant", newApp("gamma"))
	if err != nil || a.ID != "req-3" {
		t.Fatalf("next application on the copy: %+v, %v", a, err)
	}

	// A target that already holds something else fails the check.
	other, err := openNew(t, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	register(t, other, "delta")
	if err := other.CopyFrom(src); err == nil {
		t.Fatal("a copy into a non-empty store verified")
	}
	// Cleared, it takes the copy.
	if err := other.Clear(); err != nil {
		t.Fatal(err)
	}
	if empty, err := other.IsEmpty(); err != nil || !empty {
		t.Fatalf("after Clear: empty %v, %v", empty, err)
	}
	if err := other.CopyFrom(src); err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, dump(t, src), dump(t, other))
}

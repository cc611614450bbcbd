package cputime

import (
	"runtime"
	"testing"
)

// Work makes the process's CPU time grow (where it is measured at all).
func TestProcessGrows(t *testing.T) {
	before := Process()
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("not measured on", runtime.GOOS)
	}
	x := 0
	for i := 0; Process() == before && i < 1e9; i++ {
		x += i % 7
	}
	if Process() <= before {
		t.Errorf("CPU time did not grow (%v)", x)
	}
}

//go:build unix

package httpsig

import (
	"syscall"
	"time"
)

// processCPU is the CPU time used so far by all threads of the process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build unix

package imserver

import (
	"syscall"
	"time"
)

// processCPU is the CPU time used so far by all threads of the process:
// both servers, the callers and the garbage collector.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build !unix

package imserver

import "time"

// processCPU is not measured here: the benchmarks fall back to wall time.
func processCPU() time.Duration { return 0 }

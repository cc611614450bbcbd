//go:build !unix

package cputime

import "time"

// Process is not measured here: 0, and callers fall back to wall time.
func Process() time.Duration { return 0 }

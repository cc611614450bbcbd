package httpsig

import "time"

// SetClock makes s date its signatures with now instead of time.Now, for
// a process whose clock is injected (a test spanning days of fake time
// against a server on the same clock). Call it before s is used: it is not
// safe concurrently with signing.
func (s *Signer) SetClock(now func() time.Time) { s.now = now }

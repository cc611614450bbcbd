// Package attack holds the attack and bad-input matrix of imictl as one
// table-driven end-to-end suite: a real management server and a real IM
// server on loopback, with certificates from the management server's own
// CA, called by forged, replayed, misdirected, oversize and malformed
// requests from callers of every standing (suspended, cancelled, revoked,
// expired, foreign...). Each case asserts the HTTP status, the reason code
// and that nothing changed. docs/SECURITY.md holds the same table; a test
// keeps the two in step. The package has no code of its own: only tests.
package attack

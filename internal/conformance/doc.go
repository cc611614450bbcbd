// Package conformance is a black-box test suite for an IM server's
// interconnection interfaces: S1–S9, the group interfaces and M3 of the standard, as profiled by
// docs/PROTOCOL.md. It talks to the server under test over HTTP only, as a
// registered peer: every request is built, signed and sent here, and every
// answer is read byte for byte and authenticated, so that a vendor can run
// it against any implementation (`imictl conformance TARGET`).
//
// The suite is a table of Cases, grouped by area in small files
// (security.go, envelope.go, users.go, chat.go, files.go, friends.go,
// groups.go, mgmt.go), joined in Cases. A case needs nothing on the target
// beyond the server itself, or names the test data it needs (Needs: a
// user, a group): without that data it is skipped, with the reason, never
// failed.
//
// What the suite checks is strict where the profile is exact (status,
// reason, envelope types: code a JSON number under /sns/, a string under
// /sns/restApi/; Content-Type; signed answers bound to the request) and
// sends the lenient inputs the profile says a server must accept
// (interfaces.md §4 and docs/PROTOCOL.md section 4).
package conformance

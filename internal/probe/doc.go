// Package probe diagnoses the connection to a peer IM server or to the
// management server, layer by layer (`imictl probe`): the address (the
// directory's record, the URL, DNS, TCP), the transport (TLS, HTTP), the
// peer's identity (its certificate from M2: chain to the pinned root,
// validity, serverId binding, key usage, revocation), a signed round trip
// checked in both directions, the clock skew read from the peer's signed
// answer, and the local and directory policy that would refuse calls. For
// the management server: its root against the pinned one, its certificate,
// the CRL and a signed directory query.
//
// Each check has a status (ok, warn, fail, skipped), a finding in plain
// words and, unless it passed, what to do next. A check is skipped when
// what it needs comes from a check that failed, or when it does not apply.
// The probe never changes anything: the only signed call it makes to a
// peer is S8 for a user that does not exist (docs/PROTOCOL.md, section 8).
package probe

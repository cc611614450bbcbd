// Package mgmt is the management server's registration workflow: the
// applicant calls (submit, modify, cancel, status), review (approve,
// reject), suspension, certificates and the CRL, the directory (M1, M2) and
// the notification outbox, over the store (internal/mgmt/store) and the CA
// (internal/mgmt/ca).
//
// The Service does no HTTP. The HTTP server (internal/mgmt/server) calls it
// for the public and admin APIs, and the admin commands call it directly
// when the server is stopped. Both kinds of caller reach the administrator's
// operations through the Admin interface, which *Service implements and the
// admin API client (internal/mgmt/client) implements over the unix socket,
// so that a command is written once against Admin.
//
// # Errors
//
// Every refusal matches a sentinel with errors.Is: the store's (store.ErrNotFound,
// store.ErrAlreadyDecided, ...) or this package's (ErrInvalidCSR,
// ErrCSRServerID, ErrCAUnavailable, ErrForbidden). Validation failures match
// store.ErrInvalid. Each sentinel has a stable reason word (ReasonOf) that
// the HTTP APIs send; an *Error rebuilt from that word by a client matches
// the same sentinel, so errors.Is works the same on both sides of the
// socket.
//
// # The CA key
//
// Issuing certificates and signing CRLs need the CA key. A Service built
// without it (Options.CA nil) loads it through Options.LoadCA the first time
// an operation needs it, so that an administrator is asked for the CA
// password only then; without a loader such operations fail with
// ErrCAUnavailable before changing anything.
package mgmt

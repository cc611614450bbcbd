// Package mgmtutil holds what the management server's commands (ca,
// admin, register, dir, serve) share: opening the server's admin API or its
// database, reaching its public API as the caller's identity, the exit
// codes of its refusals, and how certificates, PEM files and durations are
// read and shown.
package mgmtutil

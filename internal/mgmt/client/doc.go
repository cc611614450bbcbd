// Package client calls the management server: Public for the public API
// (the applicant calls, the directory M1, certificates M2, the CRL and the
// root), signed where the server requires it and with every signed answer
// authenticated; Admin for the admin API of a running server over its unix
// socket, or over the network with every call signed by an administrator
// certificate (DialRemote); and OpenAdmin, which picks Admin or the
// database itself for the admin commands.
//
// Public is the one client of the public API in imictl: the dir and
// register commands, `imictl sns` (through Resolve, an httpsig.Resolver,
// and FetchCRL, an httpsig.CRLSource) and the reference IM server's
// directory sync all use it. It stays usable for the life of a
// long-running process: what authenticates the management server's
// answers (its certificate and the CRL) is fetched again as it ages.
//
// Errors: a refusal by the management server is a *mgmt.Error (its Reason
// matches the same sentinels as the Service's own errors with errors.Is);
// an authentication failure, in either direction, is an *httpsig.AuthError
// (the CLI's exit code 4); a server that can't be reached is a net error.
package client

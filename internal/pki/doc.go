// Package pki holds everything imictl does with SM2 keys, certificate signing
// requests, certificates and CRLs: the certificate profile that binds a
// certificate to an IM serverId, verification (chain, validity, key usage,
// serverId binding and revocation, which smx509 alone does not check), and
// the issuing operations the management server's CA is built on.
//
// Signatures are always SM2 over SM3 with the default SM2 user id
// DefaultUID, the profile every peer of the interconnection shares.
package pki

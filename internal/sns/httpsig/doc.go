// Package httpsig authenticates every interconnection call in both
// directions: the caller signs each request with its SM2 key and the callee
// signs each response, bound to the request it answers (the standard's
// §5.3.2 and figure 4; the wire profile is section 3 of docs/PROTOCOL.md).
//
// The encoding is HTTP Message Signatures (RFC 9421) with the signature label
// "imi", algorithm "sm2-sm3" (SM2 over SM3, default user id
// 1234567812345678, ASN.1 DER signature) and an "sm3" Content-Digest
// (RFC 9530) of the body.
//
// Client side: Transport signs requests and verifies the responses. Server
// side: Verifier.Middleware verifies requests before any handler reads the
// body, hands the authenticated origin to the handler (OriginFrom) and signs
// whatever the handler answers. Every refusal carries a stable Reason.
package httpsig

package httpsig

import (
	"fmt"
	"net/http"
)

// Reason is the stable, machine-readable cause of a refused call. It is sent
// in the "reason" field of the error body and is part of the wire profile:
// never rename one.
type Reason string

// The reasons, in the order the verifier checks them.
const (
	ReasonSignatureMissing   Reason = "signature_missing"   // no "imi" signature at all
	ReasonMalformedSignature Reason = "malformed_signature" // headers present but unusable
	ReasonWrongDestination   Reason = "wrong_destination"   // IMI-Destination is not this server
	ReasonUnexpectedOrigin   Reason = "unexpected_origin"   // a response signed by another server than the one called
	ReasonClockSkew          Reason = "clock_skew"          // created outside the skew window, or expired
	ReasonReplay             Reason = "replay"              // nonce already seen in the window
	ReasonReplayCacheFull    Reason = "replay_cache_full"   // no room to remember the nonce: retry later
	ReasonForbiddenByPolicy  Reason = "forbidden_by_policy" // local white/black list
	ReasonUnknownServer      Reason = "unknown_server"      // the directory does not know the origin
	ReasonDirectoryDown      Reason = "directory_unavailable"
	ReasonCertInvalid        Reason = "cert_invalid" // chain, key usage, serverId binding
	ReasonCertExpired        Reason = "cert_expired" // outside its validity period
	ReasonCertRevoked        Reason = "cert_revoked"
	ReasonCRLUnavailable     Reason = "crl_unavailable" // no CRL fresh enough under the stale policy
	ReasonServerSuspended    Reason = "server_suspended"
	ReasonServerCancelled    Reason = "server_cancelled"
	ReasonSignatureInvalid   Reason = "signature_invalid"
	ReasonBodyTooLarge       Reason = "body_too_large"
	ReasonBodyUnreadable     Reason = "body_unreadable"
	ReasonDigestMismatch     Reason = "digest_mismatch"
)

// reasons lists every Reason, so that a refusal can be told apart from an
// application's failure, which carries a reason word of its own.
var reasons = map[Reason]bool{
	ReasonSignatureMissing: true, ReasonMalformedSignature: true, ReasonWrongDestination: true,
	ReasonUnexpectedOrigin: true, ReasonClockSkew: true, ReasonReplay: true, ReasonReplayCacheFull: true,
	ReasonForbiddenByPolicy: true, ReasonUnknownServer: true, ReasonDirectoryDown: true,
	ReasonCertInvalid: true, ReasonCertExpired: true, ReasonCertRevoked: true, ReasonCRLUnavailable: true,
	ReasonServerSuspended: true, ReasonServerCancelled: true, ReasonSignatureInvalid: true,
	ReasonBodyTooLarge: true, ReasonBodyUnreadable: true, ReasonDigestMismatch: true,
}

// Known reports whether r is a reason of this layer (docs/PROTOCOL.md 3.6)
// rather than a word an application chose for its own failures.
func (r Reason) Known() bool { return reasons[r] }

// Status is the HTTP status a server answers with when it refuses a request
// for this reason.
func (r Reason) Status() int {
	switch r {
	case ReasonMalformedSignature, ReasonDigestMismatch, ReasonBodyUnreadable:
		return http.StatusBadRequest
	case ReasonWrongDestination, ReasonUnexpectedOrigin:
		return http.StatusMisdirectedRequest
	case ReasonForbiddenByPolicy, ReasonUnknownServer, ReasonServerSuspended, ReasonServerCancelled:
		return http.StatusForbidden
	case ReasonReplayCacheFull, ReasonDirectoryDown, ReasonCRLUnavailable:
		return http.StatusServiceUnavailable
	case ReasonBodyTooLarge:
		return http.StatusRequestEntityTooLarge
	default: // missing or bad signature, skew, replay, certificate problems
		return http.StatusUnauthorized
	}
}

// Side names the message that failed authentication.
type Side string

const (
	SideRequest  Side = "request"  // the request was refused (by us, or reported by the peer)
	SideResponse Side = "response" // the peer's response failed our checks
)

// AuthError is a refused call. imictl maps it to exit code 4. Find it with
// errors.As; http.Client wraps it in a *url.Error.
type AuthError struct {
	Side    Side
	Reason  Reason
	Status  int    // HTTP status: the peer's answer when Reported, else Reason.Status()
	Message string // what went wrong and what to do next
	Peer    string // the other server's serverId, when known
	// Reported is true when the peer refused our request and said why in its
	// response. Unverified then says why that refusal could not be
	// authenticated ("" when it carried a valid signature bound to our
	// request): an unauthenticated refusal may come from a proxy or an
	// attacker, so treat its reason as a hint.
	Reported   bool
	Unverified string
}

func (e *AuthError) Error() string {
	switch {
	case e.Reported:
		msg := fmt.Sprintf("%s refused the request: %s (HTTP %d): %s", peerName(e.Peer), e.Reason, e.Status, e.Message)
		if e.Unverified != "" {
			msg += " [this refusal is not authenticated: " + e.Unverified + "]"
		}
		return msg
	case e.Side == SideResponse:
		return fmt.Sprintf("response from %s failed authentication: %s: %s", peerName(e.Peer), e.Reason, e.Message)
	default:
		return fmt.Sprintf("request refused: %s: %s", e.Reason, e.Message)
	}
}

func peerName(id string) string {
	if id == "" {
		return "the peer"
	}
	return id
}

// refuse builds a local refusal of a request.
func refuse(r Reason, format string, args ...any) *AuthError {
	return &AuthError{Side: SideRequest, Reason: r, Status: r.Status(), Message: fmt.Sprintf(format, args...)}
}

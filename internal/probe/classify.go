package probe

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// unreachable reports an error of a server that gave no answer.
func unreachable(err error) bool {
	var oe *net.OpError
	var de *net.DNSError
	var ne net.Error
	return errors.As(err, &oe) || errors.As(err, &de) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// mgmtFailure is the failed check of a call to the management server.
func (r *run) mgmtFailure(what string, err error) Check {
	var ae *httpsig.AuthError
	var ce *pki.CertError
	var me *mgmt.Error
	switch {
	case errors.As(err, &ce):
		return fail(ClassAuth, string(ce.Reason), "check --root: it must be the root of the management server at "+r.cfg.MgmtURL+
			" (fetch it with `imictl dir bootstrap --mgmt URL --fingerprint FP`, FP from its administrator); `imictl probe` alone probes the management server",
			"%s failed: the management server cannot be authenticated: %v", what, err)
	case errors.As(err, &ae):
		class := ClassAuth
		if ae.Status == http.StatusServiceUnavailable {
			class = ClassUnavailable
		}
		return fail(class, string(ae.Reason), mgmtNext(ae), "%s failed: %v", what, err)
	case errors.As(err, &me):
		class := ClassOther
		if me.Status == http.StatusServiceUnavailable {
			class = ClassUnavailable
		}
		return fail(class, me.Reason, "see the management server's message; `imictl probe` alone probes the management server", "%s was refused: %v", what, err)
	case unreachable(err):
		return fail(ClassUnavailable, "mgmt_unreachable", "check --mgmt and that the management server runs; `imictl probe` alone probes it",
			"%s failed: the management server at %s cannot be reached: %v", what, r.cfg.MgmtURL, err)
	}
	return fail(ClassOther, "mgmt_failed", "`imictl probe` alone probes the management server", "%s failed: %v", what, err)
}

func mgmtNext(ae *httpsig.AuthError) string {
	if ae.Side == httpsig.SideRequest {
		return "the management server refused our request; " + requestNext(ae.Reason)
	}
	return "the management server's answer failed our checks; `imictl probe` alone probes it"
}

// requestNext says what to do when a server refused our signed request
// for reason.
func requestNext(reason httpsig.Reason) string {
	switch reason {
	case httpsig.ReasonSignatureMissing, httpsig.ReasonMalformedSignature, httpsig.ReasonDigestMismatch, httpsig.ReasonBodyUnreadable:
		return "our request arrived altered: a proxy between us rewrites headers or bodies (docs/PROTOCOL.md 3.1)"
	case httpsig.ReasonWrongDestination:
		return "the server at that address has another serverId: the directory's serverAddress points to the wrong server"
	case httpsig.ReasonClockSkew:
		return "set both clocks right (NTP); see clock.skew"
	case httpsig.ReasonReplay:
		return "something between us replays requests; retry"
	case httpsig.ReasonForbiddenByPolicy:
		return "its white/black list refuses us: ask its administrator"
	case httpsig.ReasonUnknownServer:
		return "its directory does not know us: check that our registration is approved; the reference server refreshes its copy every 10 minutes (imictl im dir refresh)"
	case httpsig.ReasonCertInvalid, httpsig.ReasonCertExpired, httpsig.ReasonCertRevoked:
		return "it refuses our certificate: check it with `imictl cert verify`; renew it, or register again if it was revoked"
	case httpsig.ReasonServerSuspended, httpsig.ReasonServerCancelled:
		return "the management server lists us as suspended or cancelled: ask its administrator"
	case httpsig.ReasonSignatureInvalid:
		return "our signature did not verify with the certificate it has for us: is --key the key of --cert, and is --cert the one the directory serves?"
	case httpsig.ReasonDirectoryDown, httpsig.ReasonCRLUnavailable, httpsig.ReasonReplayCacheFull:
		return "it cannot check us right now (its management server, CRL or replay cache): retry in a minute, or tell its operator"
	case httpsig.ReasonBodyTooLarge:
		return "it accepts smaller bodies"
	}
	return "see its message"
}

// responseNext says what to do when a server's answer failed our check
// for reason.
func responseNext(reason httpsig.Reason) string {
	switch reason {
	case httpsig.ReasonSignatureMissing:
		return "the server must sign every answer, refusals included (docs/PROTOCOL.md 3.4); or a proxy strips the Signature headers"
	case httpsig.ReasonMalformedSignature:
		return "fix its Signature-Input: components and parameters of docs/PROTOCOL.md 3.4, with \"signature\";req;key=\"imi\""
	case httpsig.ReasonWrongDestination:
		return "its answer must name the caller in IMI-Destination (docs/PROTOCOL.md 3.4)"
	case httpsig.ReasonUnexpectedOrigin:
		return "another server answers at that address: check the address"
	case httpsig.ReasonClockSkew:
		return "set both clocks right (NTP); see clock.skew"
	case httpsig.ReasonSignatureInvalid:
		return "it signs with another key than the certified one (a new key needs a new certificate: imictl register modify), or over another base than docs/PROTOCOL.md 3.4 (bound to our request's signature)"
	case httpsig.ReasonDigestMismatch:
		return "its body changes after signing (a compressing proxy?): sign the bytes sent"
	case httpsig.ReasonCertInvalid, httpsig.ReasonCertExpired, httpsig.ReasonCertRevoked, httpsig.ReasonUnknownServer:
		return "see the identity checks"
	}
	return "see docs/PROTOCOL.md 3.5"
}

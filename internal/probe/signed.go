package probe

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/sns/httpsig"
)

// answer is a signed exchange the probe made: the request as sent, and the
// answer with the result of checking it.
type answer struct {
	req    *http.Request
	status int
	header http.Header
	body   []byte
	at     time.Time // our clock when the answer arrived
	verr   error     // nil when the answer verified and is bound to req
}

// probeUser is the user S8 asks about: one that does not exist, so that
// the call reads nothing and changes nothing (docs/PROTOCOL.md 8).
func probeUser(serverID string) string {
	var b [6]byte
	rand.Read(b[:])
	return "imictl-probe-" + hex.EncodeToString(b[:]) + "@" + serverID
}

// exchange sends the signed S8 and checks the answer as a caller does
// (docs/PROTOCOL.md 3.7), against the certificate identity.certificate
// fetched. The peer's status and our policy are left to the policy
// checks, so that the round trip tests the signatures alone.
func (r *run) exchange() (*answer, Check) {
	ctx, cancel := r.step()
	defer cancel()
	target := r.endpoint(Prefix + "/users?userID=" + url.QueryEscape(probeUser(r.serverID)))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fail(ClassOther, "bad_url", "", "%v", err)
	}
	req.Header.Set("User-Agent", "imictl-probe")
	req.Header.Set("Accept", "application/json")
	if err := r.signer.SignRequest(req, r.serverID); err != nil {
		return nil, fail(ClassOther, "sign_failed", "check --key", "signing the request failed: %v", err)
	}
	t := r.transport(true)
	defer t.CloseIdleConnections()
	resp, err := t.RoundTrip(req)
	if err != nil {
		r.trace(req, nil, nil, nil)
		return nil, fail(ClassUnavailable, "no_answer", "retry; check the server's log", "the signed S8 got no answer: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	r.trace(req, nil, resp, body)
	if err != nil {
		return nil, fail(ClassUnavailable, "no_answer", "retry; check the server's log", "reading the answer to the signed S8 failed: %v", err)
	}
	a := &answer{req: req, status: resp.StatusCode, header: resp.Header, body: body, at: r.now()}
	v, err := httpsig.NewVerifier(httpsig.Options{
		Self: r.signer.ServerID(), Roots: r.roots, CRL: fixedCRL{r.crl}, Now: r.cfg.Now, Logger: slog.New(slog.DiscardHandler),
		Resolver: httpsig.StaticResolver{r.serverID: {ServerID: r.serverID, Status: httpsig.StatusNormal, Certificate: r.cert}},
	})
	if err != nil {
		return nil, fail(ClassOther, "internal", "", "%v", err)
	}
	a.verr = v.VerifyResponse(req, resp, body, r.serverID)
	return a, Check{}
}

// fixedCRL is the CRL identity.revocation accepted.
type fixedCRL struct{ crl *smx509.RevocationList }

func (f fixedCRL) Current() (*smx509.RevocationList, error) {
	if f.crl == nil {
		return nil, errors.New("no CRL")
	}
	return f.crl, nil
}

// envelope reads the standard's error envelope in either form.
func envelope(body []byte) (reason, message string) {
	var env struct {
		Reason string `json:"reason"`
		Error  string `json:"error"`
		Desc   string `json:"desc"`
	}
	json.Unmarshal(body, &env)
	if env.Error == "" {
		env.Error = env.Desc
	}
	return env.Reason, env.Error
}

// checkSignedRequest: the reverse direction, does the peer accept our
// signature. Its refusal is shown as it sent it.
func (r *run) checkSignedRequest() Check {
	if r.firstFail != "" || r.cert == nil {
		return r.skippedAfter()
	}
	a, c := r.exchange()
	if a == nil {
		return c
	}
	r.signed = a
	reason, msg := envelope(a.body)
	if a.status >= 400 && httpsig.Reason(reason).Known() {
		class := ClassAuth
		if httpsig.Reason(reason).Status() == http.StatusServiceUnavailable {
			class = ClassUnavailable
		}
		unverified := ""
		if a.verr != nil {
			unverified = " [this refusal is not authenticated: see signed.response]"
		}
		return fail(class, reason, requestNext(httpsig.Reason(reason)),
			"%s refused our signed request: %s (HTTP %d): %q%s", r.serverID, reason, a.status, msg, unverified)
	}
	answered := fmt.Sprintf("HTTP %d %s", a.status, http.StatusText(a.status))
	if reason != "" {
		answered += ", reason " + reason
	}
	if a.verr != nil {
		return warn("unauthenticated_answer", "see signed.response",
			"%s did not refuse our signature (S8 answered %s), but its answer cannot be authenticated, so whether it checked the signature is not known", r.serverID, answered)
	}
	return ok("%s accepted our signature as %s: S8 for a user that does not exist was answered %s", r.serverID, r.signer.ServerID(), answered)
}

// checkSignedResponse: the forward direction, the peer's answer is signed
// by it and bound to our request.
func (r *run) checkSignedResponse() Check {
	if r.signed == nil {
		return r.skippedAfter()
	}
	var ae *httpsig.AuthError
	if errors.As(r.signed.verr, &ae) {
		class := ClassAuth
		if ae.Status == http.StatusServiceUnavailable {
			class = ClassUnavailable
		}
		return fail(class, string(ae.Reason), responseNext(ae.Reason), "the answer of %s (HTTP %d) fails our check: %s: %s", r.serverID, r.signed.status, ae.Reason, ae.Message)
	}
	if r.signed.verr != nil {
		return fail(ClassOther, "internal", "", "checking the answer failed: %v", r.signed.verr)
	}
	return ok("signed by %s with its certified key, bound to our request's signature; the body matches its Content-Digest", r.serverID)
}

// skewWindow is the clock difference a verifier accepts each way
// (docs/PROTOCOL.md 3.5); driftWarn the difference worth a warning.
const (
	skewWindow = 5 * time.Minute
	driftWarn  = time.Minute
)

// checkClock compares the created parameter of a signed answer with our
// clock when it arrived (to the second: created is in seconds).
func (r *run) checkClock(a *answer) Check {
	if a == nil && r.firstFail == "" {
		return skipped("no signed answer to read the clock from")
	}
	if a == nil {
		return r.skippedAfter()
	}
	created, err := httpsig.SignedAt(a.header)
	if err != nil {
		return skipped("the answer carries no signature to read the clock from")
	}
	who := r.serverID
	d := created.Sub(a.at.Truncate(time.Second))
	abs, dir := d, "ahead of"
	if d < 0 {
		abs, dir = -d, "behind"
	}
	next := "set the clocks right with NTP (chrony, systemd-timesyncd) on both machines; compare `date -u` on each"
	switch {
	case abs > skewWindow:
		return fail(ClassAuth, "clock_skew", next, "the clock of %s is %s %s ours, beyond the ±%s window: calls between us are refused (clock_skew)",
			who, abs.Round(time.Second), dir, skewWindow)
	case abs > driftWarn:
		return warn("clock_drift", next, "the clock of %s is %s %s ours: within the ±%s window, but drifting", who, abs.Round(time.Second), dir, skewWindow)
	}
	return ok("the clock of %s is within %s of ours (window ±%s; read from its signature, to the second)", who, max(abs, time.Second), skewWindow)
}

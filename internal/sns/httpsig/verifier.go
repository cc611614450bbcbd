package httpsig

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
)

// CRLProvider hands out the CRL to check certificates against; CRLHolder is
// the production one.
type CRLProvider interface {
	Current() (*smx509.RevocationList, error)
}

// Options configures a Verifier. Self, Resolver, Roots and either CRL or
// NoRevocationCheck are required.
type Options struct {
	Self          string           // this server's serverId
	Resolver      Resolver         // finds the peers' records; wrap the directory in a CachingResolver
	Roots         *smx509.CertPool // the trusted interconnection root(s)
	Intermediates *smx509.CertPool // optional
	CRL           CRLProvider      // revocation data
	// NoRevocationCheck skips the CRL: for tests and bootstrapping only.
	NoRevocationCheck bool
	Policy            *Policy // white/black list; nil allows every server
	// CheckCertificate verifies a caller's certificate for the keyid it
	// signed with (a *pki.CertError on failure); default
	// pki.VerifyCertificate with opts.ServerID = keyid: an IM server's
	// certificate. The management server's remote admin API checks
	// administrator certificates with it instead. Successes are cached.
	CheckCertificate func(cert *smx509.Certificate, keyid string, opts pki.VerifyOptions) error
	// Signer signs the responses of Middleware (refusals included). Required
	// for Middleware, unused by a client.
	Signer          *Signer
	Skew            time.Duration    // accepted clock difference each way; default 5 minutes
	MaxBody         int64            // largest request body Middleware reads; default 16 MiB
	ReplayCapacity  int              // nonces remembered; default 1<<20 (about 100 MiB at most)
	ReplayPerOrigin int              // share of one origin; default ReplayCapacity/2
	Now             func() time.Time // default time.Now
	Logger          *slog.Logger     // refusals are logged at Info; default slog.Default()
	// SharedNonces, when set, also records every accepted request's nonce
	// where the other replicas see it (Middleware; VerifyRequestWithKey).
	SharedNonces SharedNonces
}

// Verifier checks signed requests (Middleware) and signed responses
// (VerifyResponse, used by Transport).
type Verifier struct {
	opts   Options
	replay *replayCache
	certs  certCache
}

// NewVerifier checks opts and fills in the defaults.
func NewVerifier(opts Options) (*Verifier, error) {
	if err := pki.ValidateServerID(opts.Self); err != nil {
		return nil, fmt.Errorf("httpsig: Options.Self: %w", err)
	}
	switch {
	case opts.Resolver == nil:
		return nil, errors.New("httpsig: Options.Resolver is required: it finds the peers' certificates")
	case opts.Roots == nil:
		return nil, errors.New("httpsig: Options.Roots is required: the interconnection root certificate")
	case opts.CRL == nil && !opts.NoRevocationCheck:
		return nil, errors.New("httpsig: Options.CRL is required (NoRevocationCheck is for tests only)")
	case opts.Signer != nil && opts.Signer.ServerID() != opts.Self:
		return nil, fmt.Errorf("httpsig: the signer is %q but Options.Self is %q", opts.Signer.ServerID(), opts.Self)
	}
	if opts.Policy == nil {
		opts.Policy = NewPolicy()
	}
	if opts.CheckCertificate == nil {
		opts.CheckCertificate = verifyServerCertificate
	}
	if opts.Skew <= 0 {
		opts.Skew = 5 * time.Minute
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 16 << 20
	}
	if opts.ReplayCapacity <= 0 {
		opts.ReplayCapacity = 1 << 20
	}
	if opts.ReplayPerOrigin <= 0 {
		opts.ReplayPerOrigin = max(opts.ReplayCapacity/2, 1)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Verifier{
		opts:   opts,
		replay: newReplayCache(int64(opts.Skew/time.Second), opts.ReplayCapacity, opts.ReplayPerOrigin),
		certs:  certCache{capacity: certCacheCapacity},
	}, nil
}

// role is what distinguishes checking a request from checking a response.
type role struct {
	side     Side
	tag      string
	required []component
}

var (
	requestRole = role{SideRequest, TagRequest, plain(requestComponents...)}
	// A response must cover the request's signature: that is the binding.
	responseRole = role{SideResponse, TagResponse, append(plain(responseComponents...), component{name: "signature", req: true, key: Label})}
)

func plain(names ...string) []component {
	cs := make([]component, len(names))
	for i, n := range names {
		cs[i] = component{name: n}
	}
	return cs
}

// checked is a message whose headers passed every check before the body.
type checked struct {
	sig    *signature
	origin string
	digest []byte
	now    time.Time // the verifier's clock when the checks began
}

// checkHeaders runs every check that needs no body, in the documented
// order. peer is the server a response must come from ("" for requests).
func (v *Verifier) checkHeaders(ctx context.Context, m *message, rl role, peer string) (*checked, *AuthError) {
	c, e := v.checkFrame(m, rl, peer)
	if e != nil {
		return nil, e
	}
	fail := func(r Reason, format string, args ...any) (*checked, *AuthError) {
		e := refuse(r, format, args...)
		e.Side = rl.side
		return nil, e
	}
	origin, now := c.origin, c.now
	// 5. Local policy, before any crypto or directory work.
	if !v.opts.Policy.Allowed(origin) {
		return fail(ReasonForbiddenByPolicy, "%q is not allowed to call %q by its local policy", origin, v.opts.Self)
	}
	// 6. The origin's certificate and status.
	info, err := v.opts.Resolver.Resolve(ctx, origin)
	var badCert *pki.CertError
	switch {
	case errors.Is(err, ErrUnknownServer):
		return fail(ReasonUnknownServer, "the directory has no server %q: it must be registered and approved at the management server", origin)
	case errors.As(err, &badCert):
		// A resolver that checks what the directory serves (M2) found the
		// certificate unacceptable: that is the origin's fault, not the
		// directory's, and retrying will not help.
		e := certRefusal(origin, badCert)
		e.Side = rl.side
		return nil, e
	case err != nil:
		return fail(ReasonDirectoryDown, "looking %q up in the directory failed: %v; retry later", origin, err)
	case info.Certificate == nil:
		return fail(ReasonUnknownServer, "the directory has no certificate for %q", origin)
	}
	if e := v.checkCertificate(info.Certificate, origin, now); e != nil {
		e.Side = rl.side
		return nil, e
	}
	switch info.Status {
	case StatusNormal:
	case StatusSuspended:
		return fail(ReasonServerSuspended, "server %q is suspended by the management server", origin)
	case StatusCancelled:
		return fail(ReasonServerCancelled, "server %q is cancelled", origin)
	default:
		return fail(ReasonServerSuspended, "server %q has status %d, not 0 (normal)", origin, info.Status)
	}
	// 7. The signature, over headers that cover the body's digest.
	pub, _ := info.Certificate.PublicKey.(*ecdsa.PublicKey)
	if e := checkSignature(m, c, pub, rl.side, "the certificate of %q", origin); e != nil {
		return nil, e
	}
	return c, nil
}

// checkFrame runs the checks of steps 1 to 4, which need neither the
// directory nor any cryptography.
func (v *Verifier) checkFrame(m *message, rl role, peer string) (*checked, *AuthError) {
	fail := func(r Reason, format string, args ...any) (*checked, *AuthError) {
		e := refuse(r, format, args...)
		e.Side = rl.side
		return nil, e
	}
	// 1. Syntax.
	sig, err := parseSignature(m.header)
	if errors.Is(err, errNoSignature) {
		return fail(ReasonSignatureMissing, "%v: every interconnection %s must be signed (docs/PROTOCOL.md, section 3)", err, rl.side)
	}
	if err != nil {
		return fail(ReasonMalformedSignature, "%v", err)
	}
	p := &sig.params
	if err := coversRequired(p, rl); err != nil {
		return fail(ReasonMalformedSignature, "%v", err)
	}
	origin, dest := firstValue(m.header, canonicalOrigin), firstValue(m.header, canonicalDestination)
	if origin != p.keyid {
		return fail(ReasonMalformedSignature, "%s %q differs from the keyid %q: both must be the origin's serverId", HeaderOrigin, origin, p.keyid)
	}
	if !validServerID(dest) {
		return fail(ReasonMalformedSignature, "%s: %v", HeaderDestination, pki.ValidateServerID(dest))
	}
	digest, err := ParseContentDigest(m.header[headerContentDigest])
	if err != nil {
		return fail(ReasonMalformedSignature, "%v", err)
	}
	// 2. Destination (and, for a response, who answered).
	if dest != v.opts.Self {
		return fail(ReasonWrongDestination, "the %s is for %q but this is %q: check the peer's address in the directory", rl.side, dest, v.opts.Self)
	}
	if peer != "" && origin != peer {
		return fail(ReasonUnexpectedOrigin, "the response is signed by %q but the request went to %q: check the address used for %q", origin, peer, peer)
	}
	// 3. Time.
	now := v.opts.Now()
	if d := now.Sub(time.Unix(p.created, 0)); d > v.opts.Skew || d < -v.opts.Skew {
		return fail(ReasonClockSkew, "created %d is %s away from this server's clock (%s), beyond the ±%s window: check NTP on both servers", p.created, d.Round(time.Second), now.UTC().Format(time.RFC3339), v.opts.Skew)
	}
	if p.expires != 0 && now.Unix() > p.expires {
		return fail(ReasonClockSkew, "the signature expired at %d (now %d)", p.expires, now.Unix())
	}
	// 4. Replay: a cheap early look; the nonce is recorded only once the
	// whole request is verified (see Middleware), so forged requests cannot
	// fill the cache or burn a legitimate nonce.
	if rl.side == SideRequest && v.replay.seenBefore(origin, p.nonce, now.Unix()) {
		return fail(ReasonReplay, "nonce %q of %q was already used: sign every request afresh", p.nonce, origin)
	}
	return &checked{sig: sig, origin: origin, digest: digest, now: now}, nil
}

// checkSignature is step 7: the signature over the base with pub, whose
// owner is described by fmt.Sprintf(whose, id) for the message (only
// formatted when refusing).
func checkSignature(m *message, c *checked, pub *ecdsa.PublicKey, side Side, whose, id string) *AuthError {
	base, err := newBase(m, &c.sig.params)
	if err != nil {
		e := refuse(ReasonMalformedSignature, "%v", err)
		e.Side = side
		return e
	}
	ok := pub != nil && pki.VerifySignature(pub, *base, c.sig.value)
	freeBase(base)
	if !ok {
		e := refuse(ReasonSignatureInvalid, "the %s signature does not verify with %s: the message was altered, signed with another key, or its signature base differs (docs/PROTOCOL.md, section 3)", side, fmt.Sprintf(whose, id))
		e.Side = side
		return e
	}
	return nil
}

func coversRequired(p *sigParams, rl role) error {
	if p.tag != rl.tag {
		return fmt.Errorf("signature tag %q: a %s must carry tag %q", p.tag, rl.side, rl.tag)
	}
next:
	for _, want := range rl.required {
		for _, c := range p.components {
			if c.name == want.name && c.req == want.req && c.key == want.key {
				continue next
			}
		}
		id := `"` + want.name + `"`
		if want.req {
			id = boundComponent
		}
		return fmt.Errorf("the signature does not cover %s, which a %s must", id, rl.side)
	}
	return nil
}

func (v *Verifier) checkCertificate(cert *smx509.Certificate, serverID string, now time.Time) *AuthError {
	opts := pki.VerifyOptions{Roots: v.opts.Roots, Intermediates: v.opts.Intermediates, Now: now}
	if !v.opts.NoRevocationCheck {
		crl, err := v.opts.CRL.Current()
		if err != nil {
			return refuse(ReasonCRLUnavailable, "cannot check %q for revocation: %v", serverID, err)
		}
		opts.CRL = crl
	}
	if err := v.certs.check(cert, serverID, opts, v.opts.CheckCertificate); err != nil {
		return certRefusal(serverID, err)
	}
	return nil
}

// verifyServerCertificate is the default Options.CheckCertificate.
func verifyServerCertificate(cert *smx509.Certificate, serverID string, opts pki.VerifyOptions) error {
	opts.ServerID = serverID
	return pki.VerifyCertificate(cert, opts)
}

// checkBody checks the body against the verified Content-Digest.
func checkBody(c *checked, body []byte, side Side) *AuthError {
	if !digestMatches(c.digest, body) {
		e := refuse(ReasonDigestMismatch, "the body (%d bytes) does not match its signed Content-Digest: it was altered in transit, or the digest was computed over other bytes (e.g. before compression)", len(body))
		e.Side = side
		return e
	}
	return nil
}

// VerifyResponse authenticates resp, the answer of peer to req (as sent,
// with its signature), whose body was read into body. The error is an
// *AuthError with Side SideResponse.
func (v *Verifier) VerifyResponse(req *http.Request, resp *http.Response, body []byte, peer string) error {
	m := &message{status: resp.StatusCode, header: resp.Header, request: requestMessage(req.Method, req.URL, req.Header)}
	c, e := v.checkHeaders(req.Context(), m, responseRole, peer)
	if e == nil {
		e = checkBody(c, body, SideResponse)
	}
	if e != nil {
		e.Peer = peer
		return e
	}
	return nil
}

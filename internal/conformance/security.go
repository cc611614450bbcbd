package conformance

import (
	"net/http"
	"time"

	"github.com/imictl/imictl/internal/sns/httpsig"
)

// The security cases: requests every server must refuse, each with the
// status and reason of docs/PROTOCOL.md 3.6, before any handler runs. They
// use a harmless read (S3 for a text nobody has) or, for a body, S1 to a
// user that does not exist, so that a server that wrongly accepts them
// changes nothing.
var securityCases = []Case{
	{ID: "sec.unsigned", Area: "security", Title: "an unsigned request is refused: 401 signature_missing, the refusal still signed",
		Run: func(t *T) error {
			a, err := t.do(call{method: http.MethodGet, path: t.harmlessRead(), unsigned: true})
			return t.refusedOrErr(a, err, http.StatusUnauthorized, httpsig.ReasonSignatureMissing)
		}},
	{ID: "sec.malformed-signature", Area: "security", Title: "a request whose Signature-Input does not parse is refused: 400 malformed_signature",
		Run: func(t *T) error {
			a, err := t.do(call{method: http.MethodGet, path: t.harmlessRead(), unbound: true,
				alter: func(req *http.Request, body []byte) []byte {
					req.Header.Set("Signature-Input", `imi=("@method" "@path";created=oops`)
					return body
				}})
			return t.refusedOrErr(a, err, http.StatusBadRequest, httpsig.ReasonMalformedSignature)
		}},
	{ID: "sec.altered-body", Area: "security", Title: "a request whose body was altered after signing is refused: 400 digest_mismatch",
		Run: func(t *T) error {
			body := t.textMessage(t.nobody(), "original")
			a, err := t.do(call{method: http.MethodPost, path: "/sns/chat", body: []byte(body),
				alter: func(_ *http.Request, b []byte) []byte { return []byte(t.textMessage(t.nobody(), "altered!")) }})
			return t.refusedOrErr(a, err, http.StatusBadRequest, httpsig.ReasonDigestMismatch)
		}},
	{ID: "sec.altered-query", Area: "security", Title: "a request whose query was altered after signing is refused: 401 signature_invalid",
		Run: func(t *T) error {
			a, err := t.do(call{method: http.MethodGet, path: t.harmlessRead(),
				alter: func(req *http.Request, body []byte) []byte {
					req.URL.RawQuery = "queryStr=altered"
					return body
				}})
			return t.refusedOrErr(a, err, http.StatusUnauthorized, httpsig.ReasonSignatureInvalid)
		}},
	{ID: "sec.wrong-destination", Area: "security", Title: "a request signed for another server is refused: 421 wrong_destination, signed by the target",
		Run: func(t *T) error {
			a, err := t.do(call{method: http.MethodGet, path: t.harmlessRead(), dest: "conformance-elsewhere"})
			return t.refusedOrErr(a, err, http.StatusMisdirectedRequest, httpsig.ReasonWrongDestination)
		}},
	{ID: "sec.replay", Area: "security", Title: "a request sent again unchanged is refused the second time: 401 replay",
		Run: func(t *T) error {
			r, err := t.s.request(t.ctx, call{method: http.MethodGet, path: t.harmlessRead()})
			if err != nil {
				return err
			}
			first, err := t.s.exchange(r)
			if err != nil {
				return err
			}
			if _, err := t.ok(first); err != nil {
				return Skipf("the first, genuine request was not accepted, so its replay cannot be judged: %v", err)
			}
			again, err := t.s.exchange(r)
			return t.refusedOrErr(again, err, http.StatusUnauthorized, httpsig.ReasonReplay)
		}},
	{ID: "sec.stale-created", Area: "security", Title: "a request created 10 minutes ago is refused: 401 clock_skew",
		Run: func(t *T) error { return t.skewed(-10 * time.Minute) }},
	{ID: "sec.future-created", Area: "security", Title: "a request created 10 minutes ahead is refused: 401 clock_skew",
		Run: func(t *T) error { return t.skewed(10 * time.Minute) }},
	{ID: "sec.unknown-server", Area: "security", Title: "a request signed as a server the directory does not know is refused: 403 unknown_server",
		Run: func(t *T) error {
			sg, err := t.s.strangerSigner(t.Unique("conformance-unregistered"))
			if err != nil {
				return err
			}
			a, err := t.do(call{method: http.MethodGet, path: t.harmlessRead(), signer: sg})
			return t.refusedOrErr(a, err, http.StatusForbidden, httpsig.ReasonUnknownServer)
		}},
	{ID: "sec.wrong-key", Area: "security", Title: "a request signed as the suite's server with another key is refused: 401 signature_invalid",
		Run: func(t *T) error {
			sg, err := t.s.strangerSigner(t.Self())
			if err != nil {
				return err
			}
			a, err := t.do(call{method: http.MethodGet, path: t.harmlessRead(), signer: sg})
			return t.refusedOrErr(a, err, http.StatusUnauthorized, httpsig.ReasonSignatureInvalid)
		}},
}

// harmlessRead is an S3 search for a text no user has: it reads nothing
// and changes nothing.
func (t *T) harmlessRead() string {
	return query("/sns/find/users", "queryStr", t.Unique("conformance-nobody"))
}

// skewed sends the harmless read signed with a clock off by d.
func (t *T) skewed(d time.Duration) error {
	sg, err := t.s.skewedSigner(d)
	if err != nil {
		return err
	}
	a, err := t.do(call{method: http.MethodGet, path: t.harmlessRead(), signer: sg})
	return t.refusedOrErr(a, err, http.StatusUnauthorized, httpsig.ReasonClockSkew)
}

// refusedOrErr is refused for an exchange that may have failed.
func (t *T) refusedOrErr(a *answer, err error, status int, reason httpsig.Reason) error {
	if err != nil {
		return err
	}
	return t.refused(a, status, string(reason))
}

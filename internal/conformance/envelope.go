package conformance

import (
	"fmt"
	"net/http"
	"strings"
)

// The envelope and the paths: both prefixes (§6.2.7), the trailing slash
// of the source's spelling, the response type, the failure envelope of an
// unknown interface and of a body that is not JSON, and a request type a
// server must accept.
var envelopeCases = []Case{
	{ID: "env.prefix-sns", Area: "envelope", Title: "/sns/find/users answers 200, application/json;charset=utf-8, code the number 0, users an array",
		Run: func(t *T) error { return t.emptySearch("/sns/find/users") }},
	{ID: "env.prefix-v1", Area: "envelope", Title: "the same interface under /sns/v1/ answers the same (§6.2.7 sns/{version}/)",
		Run: func(t *T) error { return t.emptySearch("/sns/v1/find/users") }},
	{ID: "env.trailing-slash", Area: "envelope", Title: "the same interface with a trailing / answers the same (the source writes /sns/add/users/)",
		Run: func(t *T) error { return t.emptySearch("/sns/find/users/") }},
	{ID: "env.unknown-interface", Area: "envelope", Title: "an interface that does not exist: 404 not_found, the failure envelope, signed",
		Run: func(t *T) error {
			return t.refusedGet("/sns/conformance/no-such-interface", http.StatusNotFound, "not_found")
		}},
	{ID: "env.not-json", Area: "envelope", Title: "a body that is not JSON: 400 bad_request",
		Run: func(t *T) error {
			a, err := t.post("/sns/chat", `{"messageInfo":`)
			return t.refusedOrErr(a, err, http.StatusBadRequest, "bad_request")
		}},
	{ID: "env.content-type-no-charset", Area: "envelope", Title: "a body sent as application/json without charset is read (here: S1 to a user that does not exist, 404 unknown_user)",
		Run: func(t *T) error {
			a, err := t.do(call{method: http.MethodPost, path: "/sns/chat", body: []byte(t.textMessage(t.nobody(), "no charset")),
				header: http.Header{"Content-Type": {"application/json"}}})
			return t.refusedOrErr(a, err, http.StatusNotFound, "unknown_user")
		}},
}

// emptySearch is an S3 search under path for a text nobody has: a success
// with an empty users array, [] and never null (docs/PROTOCOL.md 4).
func (t *T) emptySearch(path string) error {
	q := query(path, "queryStr", t.Unique("conformance-nobody"))
	f, err := t.okGet(q)
	if err != nil {
		return err
	}
	users, err := f.array("users")
	if err == nil && len(users) != 0 {
		return fmt.Errorf("a search for %s found %d users, want none", strings.TrimPrefix(q, path+"?"), len(users))
	}
	return err
}

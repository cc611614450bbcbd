package conformance

import (
	"net/http"
)

// S2 (GET /sns/download/file): a file is served only to a server that was
// sent a message carrying it, whether it exists or not, so that file ids
// cannot be probed (docs/PROTOCOL.md 6.4).
var fileCases = []Case{
	{ID: "S2.not-permitted", Area: "S2", Title: "a file of the target no message to the suite carried: 403 not_permitted",
		Run: func(t *T) error {
			id := "0123456789abcdef0123456789abcdef@" + t.Target().ServerID
			return t.refusedGet(query("/sns/download/file", "fileID", id), http.StatusForbidden, "not_permitted")
		}},
	{ID: "S2.not-local", Area: "S2", Title: "a file of another server: 400 not_local",
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/download/file", "fileID", "0123456789abcdef@conformance-other"), http.StatusBadRequest, "not_local")
		}},
	{ID: "S2.malformed-id", Area: "S2", Title: "a fileID with a path in it (../x@target): 400 bad_request",
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/download/file", "fileID", "../x@"+t.Target().ServerID), http.StatusBadRequest, "bad_request")
		}},
}

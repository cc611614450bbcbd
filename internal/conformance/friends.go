package conformance

import (
	"fmt"
	"net/http"
)

// S5, S6 and S7: friend requests, answers and deletions from the suite's
// user to the test user (docs/PROTOCOL.md 6.1).
var friendCases = []Case{
	{ID: "S5.unknown-user", Area: "S5", Title: "a friend request to a user the target does not have: 404 unknown_user",
		Run: func(t *T) error {
			a, err := t.post("/sns/add/users", t.friendRequest(t.nobody()))
			return t.refusedOrErr(a, err, http.StatusNotFound, "unknown_user")
		}},
	{ID: "S5.request", Area: "S5", Title: "a friend request to the test user: accepted, or 403 verify_refused when S4 says verifyType 1", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			vt, err := t.verifyType()
			if err != nil {
				return Skipf("S4 is needed to know what to expect: %v", err)
			}
			a, err := t.post("/sns/add/users", t.friendRequest(t.User()))
			if vt == 1 {
				return t.refusedOrErr(a, err, http.StatusForbidden, "verify_refused")
			}
			return t.accepted(a, err)
		}},
	{ID: "S5.wrong-sender", Area: "S5", Title: "a friend request whose ownerID is of another server: 403 wrong_sender", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			body := fmt.Sprintf(`{"userID":%s,"remark":"","ownerID":"someone@conformance-other","userInfo":{"name":"Forged"}}`, jsonString(t.User()))
			a, err := t.post("/sns/add/users", body)
			return t.refusedOrErr(a, err, http.StatusForbidden, "wrong_sender")
		}},
	{ID: "S6.no-request", Area: "S6", Title: "an answer to a friend request the test user never made: 404 no_request", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			a, err := t.post("/sns/rsp/users", t.friendAnswer(`1`))
			return t.refusedOrErr(a, err, http.StatusNotFound, "no_request")
		}},
	{ID: "S6.lenient-is-agree-string", Area: "S6", Title: `isAgree sent as the string "2" is read (the answer is still 404 no_request, not 400)`, Needs: []Need{NeedUser},
		Run: func(t *T) error {
			a, err := t.post("/sns/rsp/users", t.friendAnswer(`"2"`))
			return t.refusedOrErr(a, err, http.StatusNotFound, "no_request")
		}},
	{ID: "S7.no-friendship", Area: "S7", Title: "deleting a friendship that does not exist succeeds (a retried S7 is harmless)", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			body := fmt.Sprintf(`{"userID":%s,"ownerID":%s}`, jsonString(t.User()), jsonString(t.stranger()))
			return t.accepted(t.post("/sns/del/users", body))
		}},
}

// stranger is a user of the suite's server the target never heard of.
func (t *T) stranger() string { return t.Unique("conformance-stranger") + "@" + t.Self() }

// friendRequest is an S5 body from the suite's user to userID.
func (t *T) friendRequest(userID string) string {
	return fmt.Sprintf(`{"userID":%s,"remark":"imictl conformance","ownerID":%s,"userInfo":{"name":"Conformance suite","userID":%s}}`,
		jsonString(userID), jsonString(t.sender()), jsonString(t.sender()))
}

// friendAnswer is an S6 body: a user of the suite answers a request the
// test user never made, with isAgree as given (raw JSON).
func (t *T) friendAnswer(isAgree string) string {
	owner := t.stranger()
	return fmt.Sprintf(`{"userID":%s,"isAgree":%s,"ownerID":%s,"userInfo":{"name":"Conformance suite","userID":%s}}`,
		jsonString(t.User()), isAgree, jsonString(owner), jsonString(owner))
}

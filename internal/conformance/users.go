package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// S3, S4, S8 and S9: the reads about users, with their required fields
// and the refusals of docs/PROTOCOL.md 6.2.
var userCases = []Case{
	{ID: "S8.user", Area: "S8", Title: "the test user's record: userInfo with its userID, strings for its text fields", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			_, err := t.userInfo()
			return err
		}},
	{ID: "S8.unknown-user", Area: "S8", Title: "a user the target does not have: 404 unknown_user",
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/users", "userID", t.nobody()), http.StatusNotFound, "unknown_user")
		}},
	{ID: "S8.not-local", Area: "S8", Title: "a user of another server: 400 not_local",
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/users", "userID", "someone@conformance-other"), http.StatusBadRequest, "not_local")
		}},
	{ID: "S8.missing-parameter", Area: "S8", Title: "no userID: 400 bad_request",
		Run: func(t *T) error { return t.refusedGet("/sns/users", http.StatusBadRequest, "bad_request") }},
	{ID: "S4.user", Area: "S4", Title: "whether the test user may be added: verifyType, the JSON number 1 or 2", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			_, err := t.verifyType()
			return err
		}},
	{ID: "S4.unknown-user", Area: "S4", Title: "a user the target does not have: 404 unknown_user",
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/verify/users", "userID", t.nobody()), http.StatusNotFound, "unknown_user")
		}},
	{ID: "S9.user", Area: "S9", Title: "whether the test user has a stranger of the suite as a friend: isFriend, the JSON number 2", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			f, err := t.okGet(query("/sns/query/users", "userID", t.User(), "ownerID", t.Unique("conformance-stranger")+"@"+t.Self()))
			if err != nil {
				return err
			}
			v, err := f.oneOrTwo("isFriend")
			if err == nil && v != 2 {
				err = fmt.Errorf("isFriend is 1 for a stranger the test user never met, want 2")
			}
			return err
		}},
	{ID: "S9.wrong-sender", Area: "S9", Title: "an ownerID of another server than the caller: 403 wrong_sender", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/query/users", "userID", t.User(), "ownerID", "someone@conformance-other"), http.StatusForbidden, "wrong_sender")
		}},
	{ID: "S3.find", Area: "S3", Title: "a search for the test user's name finds it, in a users array", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			u, err := t.userInfo()
			if err != nil {
				return Skipf("the test user's record (S8) is needed to search for it: %v", err)
			}
			name, _ := u.str("name")
			if name == "" {
				return Skipf("the test user has no name to search for")
			}
			f, err := t.okGet(query("/sns/find/users", "queryStr", name))
			if err != nil {
				return err
			}
			users, err := f.array("users")
			if err != nil {
				return err
			}
			for _, raw := range users {
				var found struct{ UserID string }
				if json.Unmarshal(raw, &found) == nil && sameID(found.UserID, t.User()) {
					return nil
				}
			}
			return fmt.Errorf("searching for %q (the test user's name) did not return %s: %d users", name, t.User(), len(users))
		}},
	{ID: "S3.missing-parameter", Area: "S3", Title: "no queryStr: 400 bad_request",
		Run: func(t *T) error { return t.refusedGet("/sns/find/users", http.StatusBadRequest, "bad_request") }},
}

// userInfo is the test user's record from S8, checked.
func (t *T) userInfo() (fields, error) {
	f, err := t.okGet(query("/sns/users", "userID", t.User()))
	if err != nil {
		return nil, err
	}
	u, err := f.object("userInfo")
	if err != nil {
		return nil, err
	}
	id, err := u.str("userID")
	if err != nil {
		return nil, fmt.Errorf("userInfo: %w", err)
	}
	if !sameID(id, t.User()) {
		return nil, fmt.Errorf("userInfo.userID is %q, want %q", id, t.User())
	}
	for _, name := range []string{"name", "phoneNumber", "remark", "portrait"} {
		if _, _, err := u.optStr(name); err != nil {
			return nil, fmt.Errorf("userInfo: %w", err)
		}
	}
	return u, nil
}

// verifyType is the test user's verifyType from S4.
func (t *T) verifyType() (int, error) {
	f, err := t.okGet(query("/sns/verify/users", "userID", t.User()))
	if err != nil {
		return 0, err
	}
	return f.oneOrTwo("verifyType")
}

// okGet is a signed GET that must succeed.
func (t *T) okGet(path string) (fields, error) {
	a, err := t.get(path)
	if err != nil {
		return nil, err
	}
	return t.ok(a)
}

// refusedGet is a signed GET that must be refused with status and reason.
func (t *T) refusedGet(path string, status int, reason string) error {
	a, err := t.get(path)
	if err != nil {
		return err
	}
	return t.refused(a, status, reason)
}

// sameID compares two user ids, which lose surrounding white space when
// read (docs/PROTOCOL.md 4).
func sameID(a, b string) bool { return strings.TrimSpace(a) == strings.TrimSpace(b) }

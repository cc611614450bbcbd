package imserver

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// apiErr asserts that err is the peer's refusal with status and reason.
func apiErr(t *testing.T, what string, err error, status int, reason string) {
	t.Helper()
	var e *client.APIError
	if !errors.As(err, &e) || e.Status != status || e.Reason != reason {
		t.Errorf("%s: got %v, want HTTP %d reason %q", what, err, status, reason)
	}
}

// authErr asserts that err is an authentication refusal with reason.
func authErr(t *testing.T, what string, err error, reason httpsig.Reason) {
	t.Helper()
	var e *httpsig.AuthError
	if !errors.As(err, &e) || e.Reason != reason || !e.Reported {
		t.Errorf("%s: got %v, want a refusal with reason %q", what, err, reason)
	}
}

func TestUserQueries(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im", func(c *Config) { c.MaxFindResults = 2 })
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	for _, u := range []imstore.User{
		{UserID: "13500001111", Name: "Alice Li", PhoneNumber: "13500001111", Remark: "ops"},
		{UserID: "bob", Name: "Bob", PhoneNumber: "13900002222", VerifyType: imstore.VerifyNobody},
		{UserID: "carol", Name: "Carol Alison"},
		{UserID: "dave", Name: "Dave", PhoneNumber: "13500003333"},
	} {
		beta.addUser(t, u)
	}
	ctx := context.Background()
	p := beta.peer()

	users, err := alpha.client.FindUsers(ctx, p, "ali")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range users {
		ids = append(ids, u.UserID)
	}
	if want := []string{"13500001111@beta-im", "carol@beta-im"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("find ali: %v, want %v", ids, want)
	}
	if users, err = alpha.client.FindUsers(ctx, p, "135"); err != nil || len(users) != 2 {
		t.Errorf("find by phone: %v %v, want 2 users (bounded by MaxFindResults)", users, err)
	}
	if u := users[0]; u.Name != "Alice Li" || u.PhoneNumber != "13500001111" || u.Remark != "ops" || u.UpdateTime == 0 {
		t.Errorf("userInfo: %+v", u)
	}

	vt, err := alpha.client.VerifyUser(ctx, p, "bob@beta-im")
	if err != nil || vt != wire.VerifyNobody {
		t.Errorf("verify bob: %d %v, want 1", vt, err)
	}
	if vt, err = alpha.client.VerifyUser(ctx, p, "carol@beta-im"); err != nil || vt != wire.VerifyAnyone {
		t.Errorf("verify carol: %d %v, want 2", vt, err)
	}
	info, err := alpha.client.User(ctx, p, "bob@beta-im")
	if err != nil || info.UserID != "bob@beta-im" || info.Name != "Bob" || info.PhoneNumber != "13900002222" {
		t.Errorf("user bob: %+v %v", info, err)
	}
	isf, err := alpha.client.IsFriend(ctx, p, "bob@beta-im", "u1@alpha-im")
	if err != nil || isf != wire.No {
		t.Errorf("is friend: %d %v, want 2", isf, err)
	}
}

// Every bad query is refused with its status and reason.
func TestUserQueryRefusals(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	ctx := context.Background()
	long := make([]byte, maxQueryStr+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, tc := range []struct {
		name, path string
		status     int
		reason     string
	}{
		{"empty search", "find/users?queryStr=", 400, ReasonBadRequest},
		{"oversize search", "find/users?queryStr=" + string(long), 400, ReasonBadRequest},
		{"id in neither form", "verify/users?userID=bob", 400, ReasonBadRequest},
		{"missing id", "users", 400, ReasonBadRequest},
		{"path trick", "users?userID=" + url.QueryEscape("../bob@beta-im"), 400, ReasonBadRequest},
		{"user of another server", "users?userID=bob@gamma-im", 400, ReasonNotLocal},
		{"user of another address", "users?userID=" + url.QueryEscape("bob@example.com:443"), 400, ReasonNotLocal},
		{"unknown user", "verify/users?userID=nobody@beta-im", 404, ReasonUnknownUser},
		{"owner of another server", "query/users?userID=bob@beta-im&ownerID=u1@gamma-im", 403, ReasonWrongSender},
		{"owner missing", "query/users?userID=bob@beta-im", 400, ReasonBadRequest},
		{"no such interface", "nothing/here", 404, ReasonNotFound},
		{"wrong method", "chat", 404, ReasonNotFound},
	} {
		_, err := alpha.client.Call(ctx, beta.peer(), http.MethodGet, tc.path, nil)
		apiErr(t, tc.name, err, tc.status, tc.reason)
	}
}

// The same interface under /sns/v1, and with the source's trailing slash.
func TestPrefixesAndTrailingSlash(t *testing.T) {
	w := newWorld(t)
	beta := w.server(t, "beta-im")
	alpha := w.caller(t, "alpha-im", httpsig.StatusNormal, true)
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	for _, path := range []string{"/sns/users?userID=bob@beta-im", "/sns/v1/users?userID=bob@beta-im", "/sns/users/?userID=bob@beta-im"} {
		raw, err := alpha.client.Call(context.Background(), beta.peer(), http.MethodGet, path, nil)
		if err != nil || raw.Status != 200 || raw.Header.Get("Content-Type") != contentTypeJSON {
			t.Errorf("%s: %v %v", path, raw, err)
			continue
		}
		var r wire.UserResponse
		if err := r.UnmarshalJSON(raw.Body); err != nil || r.UserInfo.UserID != "bob@beta-im" {
			t.Errorf("%s: %s %v", path, raw.Body, err)
		}
	}
}

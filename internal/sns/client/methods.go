package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/imictl/imictl/internal/sns/wire"
)

// Paths of the one-to-one interfaces (§6.4.1), relative to the prefix.
const (
	PathChat       = "chat"          // S1
	PathDownload   = "download/file" // S2
	PathFindUsers  = "find/users"    // S3
	PathVerifyUser = "verify/users"  // S4
	PathAddFriend  = "add/users"     // S5
	PathRespond    = "rsp/users"     // S6
	PathDelFriend  = "del/users"     // S7
	PathUser       = "users"         // S8
	PathIsFriend   = "query/users"   // S9
)

// Chat delivers a message (S1, POST chat).
func (c *Client) Chat(ctx context.Context, peer Peer, req wire.ChatRequest, opts ...CallOption) error {
	return c.post(ctx, peer, PathChat, &req, opts)
}

// FindUsers searches the peer's users by name and phone number (S3, GET
// find/users?queryStr=).
func (c *Client) FindUsers(ctx context.Context, peer Peer, queryStr string, opts ...CallOption) ([]wire.UserInfo, error) {
	var r wire.FindUsersResponse
	err := c.call(ctx, peer, http.MethodGet, withQuery(PathFindUsers, "queryStr", queryStr), nil, &r, opts)
	return r.Users, err
}

// VerifyUser asks whether userID may be added as a friend (S4, GET
// verify/users?userID=): wire.VerifyAnyone or wire.VerifyNobody.
func (c *Client) VerifyUser(ctx context.Context, peer Peer, userID string, opts ...CallOption) (int, error) {
	if err := wire.RequireID("userID", userID); err != nil {
		return 0, err
	}
	var r wire.VerifyUserResponse
	err := c.call(ctx, peer, http.MethodGet, withQuery(PathVerifyUser, "userID", userID), nil, &r, opts)
	return r.VerifyType, err
}

// AddFriend asks req.UserID to become req.OwnerID's friend (S5, POST
// add/users).
func (c *Client) AddFriend(ctx context.Context, peer Peer, req wire.AddFriendRequest, opts ...CallOption) error {
	return c.post(ctx, peer, PathAddFriend, &req, opts)
}

// RespondFriend answers a friend request (S6, POST rsp/users).
func (c *Client) RespondFriend(ctx context.Context, peer Peer, req wire.RespondFriendRequest, opts ...CallOption) error {
	return c.post(ctx, peer, PathRespond, &req, opts)
}

// DelFriend ends a friendship (S7, POST del/users).
func (c *Client) DelFriend(ctx context.Context, peer Peer, req wire.DelFriendRequest, opts ...CallOption) error {
	return c.post(ctx, peer, PathDelFriend, &req, opts)
}

// User returns a user's record (S8, GET users?userID=).
func (c *Client) User(ctx context.Context, peer Peer, userID string, opts ...CallOption) (wire.UserInfo, error) {
	if err := wire.RequireID("userID", userID); err != nil {
		return wire.UserInfo{}, err
	}
	var r wire.UserResponse
	err := c.call(ctx, peer, http.MethodGet, withQuery(PathUser, "userID", userID), nil, &r, opts)
	return r.UserInfo, err
}

// IsFriend asks whether userID is ownerID's friend (S9, GET
// query/users?userID=&ownerID=): wire.Yes or wire.No.
func (c *Client) IsFriend(ctx context.Context, peer Peer, userID, ownerID string, opts ...CallOption) (int, error) {
	if err := wire.RequireID("userID", userID); err != nil {
		return 0, err
	}
	if err := wire.RequireID("ownerID", ownerID); err != nil {
		return 0, err
	}
	var r wire.IsFriendResponse
	err := c.call(ctx, peer, http.MethodGet, withQuery(PathIsFriend, "userID", userID, "ownerID", ownerID), nil, &r, opts)
	return r.IsFriend, err
}

// validator is a request body that can check itself before it is sent.
type validator interface{ Validate() error }

// post validates req, sends it as JSON and checks the envelope.
func (c *Client) post(ctx context.Context, peer Peer, path string, req validator, opts []CallOption) error {
	if err := req.Validate(); err != nil {
		return fmt.Errorf("not sending an invalid %s request: %w", path, err)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	return c.call(ctx, peer, http.MethodPost, path, body, nil, opts)
}

// withQuery appends name=value pairs to path, percent-encoded as UTF-8
// (§6.2.1.2), spaces as %20 rather than "+", which not every server
// decodes.
func withQuery(path string, pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	// Encode sorts by key and escapes "+" itself as %2B, so every "+" left
	// is a space.
	return path + "?" + strings.ReplaceAll(v.Encode(), "+", "%20")
}

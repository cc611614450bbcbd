package adminclient

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// AddUser adds a local user.
func (c *Client) AddUser(ctx context.Context, u adminapi.NewUser) (imstore.User, error) {
	var out imstore.User
	return out, c.call(ctx, http.MethodPost, adminapi.PathUsers, nil, u, &out)
}

// Users lists the local users.
func (c *Client) Users(ctx context.Context) ([]imstore.User, error) {
	var out []imstore.User
	return out, c.call(ctx, http.MethodGet, adminapi.PathUsers, nil, nil, &out)
}

// Upload stores a file of a local user, streamed from r, and returns its
// record, whose FileID a message then carries (Send). Most callers use
// SendFile.
func (c *Client) Upload(ctx context.Context, user, name string, r io.Reader) (imstore.FileMeta, error) {
	var out imstore.FileMeta
	resp, err := c.do(ctx, http.MethodPost, adminapi.PathFiles, query("user", user, "name", name), r, "application/octet-stream")
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return out, fmt.Errorf("the IM server's answer to the upload is unreadable: %w", err)
	}
	return out, nil
}

// Send sends a message as a local user; it returns once the message is
// durable (queued for its recipient's server, or in a local inbox).
func (c *Client) Send(ctx context.Context, req adminapi.SendRequest) (imstore.SentMessage, error) {
	var out imstore.SentMessage
	return out, c.call(ctx, http.MethodPost, adminapi.PathMessages, nil, req, &out)
}

// SendText sends a text message.
func (c *Client) SendText(ctx context.Context, from, to, text string) (imstore.SentMessage, error) {
	return c.Send(ctx, adminapi.SendRequest{From: from, To: to, MessageType: wire.MessageText, Text: text})
}

// SendFile uploads r (streamed) and sends it as an image, voice or file
// message; duration is a voice message's length in seconds (0: unknown).
func (c *Client) SendFile(ctx context.Context, from, to, messageType, name string, r io.Reader, duration int) (imstore.SentMessage, error) {
	meta, err := c.Upload(ctx, from, name, r)
	if err != nil {
		return imstore.SentMessage{}, err
	}
	return c.Send(ctx, adminapi.SendRequest{From: from, To: to, MessageType: messageType, FileID: meta.FileID, Duration: duration})
}

// Repeal revokes a message the local user sent.
func (c *Client) Repeal(ctx context.Context, user, messageID string) (imstore.SentMessage, error) {
	var out imstore.SentMessage
	return out, c.call(ctx, http.MethodPost, adminapi.PathRepeal, nil, adminapi.RepealRequest{User: user, MessageID: messageID}, &out)
}

// Inbox lists up to limit (0: all) messages of user after sequence after.
func (c *Client) Inbox(ctx context.Context, user string, after uint64, limit int) ([]imstore.InboxMessage, error) {
	var out []imstore.InboxMessage
	return out, c.call(ctx, http.MethodGet, adminapi.PathInbox, pageQuery(user, after, limit), nil, &out)
}

// Sent lists up to limit (0: all) messages user sent after sequence after.
func (c *Client) Sent(ctx context.Context, user string, after uint64, limit int) ([]imstore.SentMessage, error) {
	var out []imstore.SentMessage
	return out, c.call(ctx, http.MethodGet, adminapi.PathSent, pageQuery(user, after, limit), nil, &out)
}

// FileInfo describes a file fetched with FetchFile.
type FileInfo struct {
	FileID string `json:"fileID"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	MD5    string `json:"md5"`
}

// FetchFile writes the file carried by a message of user (received or
// sent) to w, streamed; the server downloads it from its origin first if
// it has not yet. Size and md5 are checked again on the way: on an error,
// discard what was written.
func (c *Client) FetchFile(ctx context.Context, user, messageID string, w io.Writer) (FileInfo, error) {
	resp, err := c.do(ctx, http.MethodGet, adminapi.PathFileContent, query("user", user, "messageID", messageID), nil, "")
	if err != nil {
		return FileInfo{}, err
	}
	defer resp.Body.Close()
	name, _ := url.PathUnescape(resp.Header.Get(adminapi.HeaderFileName))
	info := FileInfo{FileID: resp.Header.Get(adminapi.HeaderFileID), Name: name, MD5: resp.Header.Get(adminapi.HeaderFileMD5)}
	sum := md5.New()
	n, err := io.Copy(io.MultiWriter(w, sum), resp.Body)
	info.Size = n
	switch {
	case err != nil:
		return info, fmt.Errorf("receiving file %s: %w", info.FileID, err)
	case n != resp.ContentLength:
		return info, fmt.Errorf("file %s: got %d bytes, the server announced %d", info.FileID, n, resp.ContentLength)
	case hex.EncodeToString(sum.Sum(nil)) != info.MD5:
		return info, fmt.Errorf("file %s: the bytes received do not match md5 %s", info.FileID, info.MD5)
	}
	return info, nil
}

// AddFriend asks, as user, peer to be friends.
func (c *Client) AddFriend(ctx context.Context, user, peer, remark string) (imstore.FriendRequest, error) {
	var out imstore.FriendRequest
	return out, c.call(ctx, http.MethodPost, adminapi.PathFriendRequests, nil, adminapi.FriendRequest{User: user, Peer: peer, Remark: remark}, &out)
}

// FriendRequests lists user's friend requests in state ("" for all).
func (c *Client) FriendRequests(ctx context.Context, user string, state imstore.RequestState) ([]imstore.FriendRequest, error) {
	var out []imstore.FriendRequest
	return out, c.call(ctx, http.MethodGet, adminapi.PathFriendRequests, query("user", user, "state", string(state)), nil, &out)
}

// AnswerFriend accepts or refuses an incoming friend request.
func (c *Client) AnswerFriend(ctx context.Context, id uint64, agree bool) (imstore.FriendRequest, error) {
	var out imstore.FriendRequest
	return out, c.call(ctx, http.MethodPost, adminapi.PathFriendAnswer, nil, adminapi.FriendAnswer{ID: id, Agree: agree}, &out)
}

// DeleteFriend ends user's friendship with peer; existed is false when
// there was none.
func (c *Client) DeleteFriend(ctx context.Context, user, peer string) (existed bool, err error) {
	var out adminapi.Deleted
	err = c.call(ctx, http.MethodPost, adminapi.PathFriendDelete, nil, adminapi.FriendDelete{User: user, Peer: peer}, &out)
	return out.Existed, err
}

// Friends lists user's friends.
func (c *Client) Friends(ctx context.Context, user string) ([]imstore.Friend, error) {
	var out []imstore.Friend
	return out, c.call(ctx, http.MethodGet, adminapi.PathFriends, query("user", user), nil, &out)
}

// Outbox lists the queued calls f selects.
func (c *Client) Outbox(ctx context.Context, f imstore.OutboxFilter) ([]imstore.OutboxItem, error) {
	var out []imstore.OutboxItem
	q := query("destination", f.Destination, "state", string(f.State))
	if f.AfterID > 0 {
		q.Set("after", strconv.FormatUint(f.AfterID, 10))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	return out, c.call(ctx, http.MethodGet, adminapi.PathOutbox, q, nil, &out)
}

// RetryOutbox makes a parked or pending item due now.
func (c *Client) RetryOutbox(ctx context.Context, id uint64) error {
	var out adminapi.Count
	return c.call(ctx, http.MethodPost, adminapi.PathOutboxRetry, nil, adminapi.OutboxRetry{ID: id}, &out)
}

// RetryDestination makes every undelivered item for destination due now
// and returns how many there were.
func (c *Client) RetryDestination(ctx context.Context, destination string) (int, error) {
	var out adminapi.Count
	err := c.call(ctx, http.MethodPost, adminapi.PathOutboxRetry, nil, adminapi.OutboxRetry{Destination: destination}, &out)
	return out.Count, err
}

// DropOutbox gives up on an undelivered item.
func (c *Client) DropOutbox(ctx context.Context, id uint64) (imstore.OutboxItem, error) {
	var out imstore.OutboxItem
	return out, c.call(ctx, http.MethodPost, adminapi.PathOutboxDrop, nil, adminapi.OutboxDrop{ID: id}, &out)
}

// Policy returns the white/black lists in force.
func (c *Client) Policy(ctx context.Context) (imstore.Policy, error) {
	var out imstore.Policy
	return out, c.call(ctx, http.MethodGet, adminapi.PathPolicy, nil, nil, &out)
}

// SetPolicy replaces the white/black lists; they take effect at once.
func (c *Client) SetPolicy(ctx context.Context, allow, deny []string) (imstore.Policy, error) {
	var out imstore.Policy
	return out, c.call(ctx, http.MethodPut, adminapi.PathPolicy, nil, adminapi.Policy{Allow: allow, Deny: deny}, &out)
}

// Directory lists the cached directory.
func (c *Client) Directory(ctx context.Context) ([]imstore.DirEntry, error) {
	var out []imstore.DirEntry
	return out, c.call(ctx, http.MethodGet, adminapi.PathDirectory, nil, nil, &out)
}

// RefreshDirectory queries the management server for changes now and
// returns how many records changed.
func (c *Client) RefreshDirectory(ctx context.Context) (int, error) {
	var out adminapi.Count
	err := c.call(ctx, http.MethodPost, adminapi.PathDirectoryRefresh, nil, nil, &out)
	return out.Count, err
}

// FindUsers searches another server's users by name or phone (S3, made
// as this server); server is a serverId or host:port.
func (c *Client) FindUsers(ctx context.Context, server, q string) ([]wire.UserInfo, error) {
	var out []wire.UserInfo
	return out, c.call(ctx, http.MethodGet, adminapi.PathRemoteFind, query("server", server, "query", q), nil, &out)
}

// VerifyUser asks whether a user may be added as a friend (S4).
func (c *Client) VerifyUser(ctx context.Context, userID string) (int, error) {
	var out adminapi.Verify
	err := c.call(ctx, http.MethodGet, adminapi.PathRemoteVerify, query("userID", userID), nil, &out)
	return out.VerifyType, err
}

// RemoteUser fetches a user's record from its server (S8).
func (c *Client) RemoteUser(ctx context.Context, userID string) (wire.UserInfo, error) {
	var out wire.UserInfo
	return out, c.call(ctx, http.MethodGet, adminapi.PathRemoteUser, query("userID", userID), nil, &out)
}

// IsFriend asks userID's server whether userID has the local user owner
// as a friend (S9).
func (c *Client) IsFriend(ctx context.Context, userID, owner string) (bool, error) {
	var out adminapi.IsFriend
	err := c.call(ctx, http.MethodGet, adminapi.PathRemoteIsFriend, query("userID", userID, "owner", owner), nil, &out)
	return out.IsFriend, err
}

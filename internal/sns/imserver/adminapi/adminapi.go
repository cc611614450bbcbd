// Package adminapi is the contract of the reference IM server's local admin
// API: its paths and JSON bodies, shared by the server (package imserver)
// and its client (package adminclient). The API is HTTP over the unix
// socket imictl-data/im/admin.sock, 0600: whoever can open the socket is
// the operator, who acts as any local user.
//
// Records are the store's (internal/sns/imstore) and the wire's
// (internal/sns/wire) types, as JSON. A failure is answered with an error
// status and the body {"code":1,"error":"<what went wrong and what to do>",
// "reason":"<stable word>"}.
package adminapi

import "github.com/imictl/imictl/internal/sns/imstore"

// Paths of the admin API, all under /v1.
const (
	PathStatus           = "/v1/status"            // GET -> Status
	PathUsers            = "/v1/users"             // GET -> []imstore.User; POST NewUser -> imstore.User
	PathFiles            = "/v1/files"             // POST ?user=&name= with the raw content -> imstore.FileMeta
	PathFileContent      = "/v1/files/content"     // GET ?user=&messageID= -> the bytes, with the File* headers
	PathMessages         = "/v1/messages"          // POST SendRequest -> imstore.SentMessage
	PathRepeal           = "/v1/messages/repeal"   // POST RepealRequest -> imstore.SentMessage
	PathInbox            = "/v1/inbox"             // GET ?user=&after=&limit= -> []imstore.InboxMessage
	PathSent             = "/v1/sent"              // GET ?user=&after=&limit= -> []imstore.SentMessage
	PathFriends          = "/v1/friends"           // GET ?user= -> []imstore.Friend
	PathFriendRequests   = "/v1/friends/requests"  // GET ?user=&state= -> []imstore.FriendRequest; POST FriendRequest -> imstore.FriendRequest
	PathFriendAnswer     = "/v1/friends/answer"    // POST FriendAnswer -> imstore.FriendRequest
	PathFriendDelete     = "/v1/friends/delete"    // POST FriendDelete -> Deleted
	PathOutbox           = "/v1/outbox"            // GET ?destination=&state=&after=&limit= -> []imstore.OutboxItem
	PathOutboxRetry      = "/v1/outbox/retry"      // POST OutboxRetry -> Count
	PathOutboxDrop       = "/v1/outbox/drop"       // POST OutboxDrop -> imstore.OutboxItem
	PathPolicy           = "/v1/policy"            // GET -> imstore.Policy; PUT Policy -> imstore.Policy
	PathDirectory        = "/v1/directory"         // GET -> []imstore.DirEntry
	PathDirectoryRefresh = "/v1/directory/refresh" // POST -> Count (records changed)
	PathRemoteFind       = "/v1/remote/find"       // GET ?server=&query= -> []wire.UserInfo (S3)
	PathRemoteVerify     = "/v1/remote/verify"     // GET ?userID= -> Verify (S4)
	PathRemoteUser       = "/v1/remote/user"       // GET ?userID= -> wire.UserInfo (S8)
	PathRemoteIsFriend   = "/v1/remote/isfriend"   // GET ?userID=&owner= -> IsFriend (S9)
)

// Headers of a file's content (PathFileContent), beside Content-Length.
const (
	HeaderFileID   = "IMI-File-ID"
	HeaderFileName = "IMI-File-Name" // percent-encoded UTF-8
	HeaderFileMD5  = "IMI-File-MD5"
)

// NewUser is a local user to add.
type NewUser struct {
	UserID      string `json:"userID"`
	Name        string `json:"name"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	Portrait    string `json:"portrait,omitempty"`
	Remark      string `json:"remark,omitempty"`
	// VerifyType is the friend policy: 1 nobody may add the user, 2 (the
	// default) anyone may ask.
	VerifyType int `json:"verifyType,omitempty"`
}

// SendRequest is a message a local user sends.
type SendRequest struct {
	From        string `json:"from"`        // the local user's id
	To          string `json:"to"`          // user@serverId, user@host:port, or a local user's id
	MessageType string `json:"messageType"` // text, image, voice or file
	Text        string `json:"text,omitempty"`
	FileID      string `json:"fileID,omitempty"`   // image, voice, file: uploaded first (PathFiles)
	Duration    int    `json:"duration,omitempty"` // voice: seconds
}

// RepealRequest revokes a message a local user sent.
type RepealRequest struct {
	User      string `json:"user"`
	MessageID string `json:"messageID"`
}

// FriendRequest asks, as a local user, peer to be friends.
type FriendRequest struct {
	User   string `json:"user"`
	Peer   string `json:"peer"` // user@serverId, user@host:port, or a local user's id
	Remark string `json:"remark,omitempty"`
}

// FriendAnswer answers an incoming friend request.
type FriendAnswer struct {
	ID    uint64 `json:"id"`
	Agree bool   `json:"agree"`
}

// FriendDelete ends a local user's friendship.
type FriendDelete struct {
	User string `json:"user"`
	Peer string `json:"peer"`
}

// Deleted says whether there was something to delete.
type Deleted struct {
	Existed bool `json:"existed"`
}

// OutboxRetry makes an item (ID) or every undelivered item of a
// destination due now.
type OutboxRetry struct {
	ID          uint64 `json:"id,omitempty"`
	Destination string `json:"destination,omitempty"`
}

// OutboxDrop gives up on an undelivered item.
type OutboxDrop struct {
	ID uint64 `json:"id"`
}

// Policy is the white list and the black list of peer serverIds; an empty
// Allow means no white list.
type Policy struct {
	Allow []string `json:"allow"`
	Deny  []string `json:"deny"`
}

// Count is how many records an operation touched.
type Count struct {
	Count int `json:"count"`
}

// Verify is S4's answer: 1 nobody may add the user, 2 anyone may ask.
type Verify struct {
	VerifyType int `json:"verifyType"`
}

// IsFriend is S9's answer.
type IsFriend struct {
	IsFriend bool `json:"isFriend"`
}

// Status describes the running server.
type Status struct {
	ServerID string `json:"serverId"`
	Address  string `json:"address"` // the registered serverAddress
	Listen   string `json:"listen"`
	MgmtURL  string `json:"mgmtURL,omitempty"`
	Users    int    `json:"users"`
	// DuplicateConflicts counts the S1 messages refused since the start
	// because their messageID was stored with other content.
	DuplicateConflicts int64 `json:"duplicateConflicts"`
	// Outbox lists the destinations with undelivered items.
	Outbox []imstore.DestinationStats `json:"outbox"`
}

// ErrorBody is the body of a failure.
type ErrorBody struct {
	Code   int    `json:"code"`
	Error  string `json:"error"`
	Reason string `json:"reason"`
}

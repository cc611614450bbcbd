package client

import (
	"context"
	"net/http"

	"github.com/imictl/imictl/internal/lenient"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Paths of the group interfaces (§6.4.2), relative to the prefix. G5
// (dissolve) is told with G10 operType 3, and G6 (a member's message to
// the main group) is S1 with type 2: neither has a path of its own.
const (
	PathInviteGroup       = "invite/grpreq"     // G1
	PathAnswerGroupInvite = "invite/grprep"     // G2
	PathRemoveMembers     = "remove/grpmembers" // G3
	PathQuitGroup         = "quit/grpmember"    // G4
	PathNotifyGroupChat   = "notify/grpchat"    // G7
	PathGroupChat         = "grpchat"           // G8
	PathUpdateGroup       = "update/grpinfo"    // G9
	PathNotifyGroup       = "notify/grpnotify"  // G10
	PathGroupInfo         = "grpinfo"           // G11
	PathGroupMembers      = "grpmembers"        // G12
)

// InviteGroup invites users into a group (G1, POST invite/grpreq): sent to
// the main group's server by the inviter's server, and by the main
// group's server to each invitee's.
func (c *Client) InviteGroup(ctx context.Context, peer Peer, req wire.InviteRequest, opts ...CallOption) error {
	return c.post(ctx, peer, PathInviteGroup, &req, opts)
}

// AnswerGroupInvite agrees to or refuses an invitation into groupID (G2,
// POST invite/grprep?groupID=), at the main group's server.
func (c *Client) AnswerGroupInvite(ctx context.Context, peer Peer, groupID string, req wire.InviteReply, opts ...CallOption) error {
	return c.postGroup(ctx, peer, PathAnswerGroupInvite, groupID, &req, opts)
}

// RemoveGroupMembers removes members of groupID (G3, POST
// remove/grpmembers?groupID=), at the main group's server.
func (c *Client) RemoveGroupMembers(ctx context.Context, peer Peer, groupID string, req wire.RemoveMembersRequest, opts ...CallOption) error {
	return c.postGroup(ctx, peer, PathRemoveMembers, groupID, &req, opts)
}

// QuitGroup makes req.OwnerID leave groupID (G4, POST
// quit/grpmember?groupID=), at the main group's server.
func (c *Client) QuitGroup(ctx context.Context, peer Peer, groupID string, req wire.QuitRequest, opts ...CallOption) error {
	return c.postGroup(ctx, peer, PathQuitGroup, groupID, &req, opts)
}

// NotifyGroupChat hands a group message to the peer's members (G7, POST
// notify/grpchat?groupID=): the main group's server fans out.
func (c *Client) NotifyGroupChat(ctx context.Context, peer Peer, groupID string, req wire.NotifyGroupChatRequest, opts ...CallOption) error {
	return c.postGroup(ctx, peer, PathNotifyGroupChat, groupID, &req, opts)
}

// GroupChat returns groupID's messages newer than messageID, oldest first
// ("" for the oldest ones), with the newest message's id (G8, GET
// grpchat?groupID=&messageID=), from the main group's server.
func (c *Client) GroupChat(ctx context.Context, peer Peer, groupID, messageID string, opts ...CallOption) (wire.GroupChatHistoryResponse, error) {
	var r wire.GroupChatHistoryResponse
	if err := wire.RequireID("groupID", groupID); err != nil {
		return r, err
	}
	if messageID != "" {
		if err := wire.RequireID("messageID", messageID); err != nil {
			return r, err
		}
	}
	err := c.call(ctx, peer, http.MethodGet, withQuery(PathGroupChat, "groupID", groupID, "messageID", messageID), nil, &r, opts)
	r.Messages = lenient.NonNil(r.Messages)
	return r, err
}

// UpdateGroup changes groupID's name, icon or settings (G9, POST
// update/grpinfo?groupID=), at the main group's server.
func (c *Client) UpdateGroup(ctx context.Context, peer Peer, groupID string, req wire.UpdateGroupInfoRequest, opts ...CallOption) error {
	return c.postGroup(ctx, peer, PathUpdateGroup, groupID, &req, opts)
}

// NotifyGroup tells a server with members what changed in groupID (G10,
// POST notify/grpnotify?groupID=).
func (c *Client) NotifyGroup(ctx context.Context, peer Peer, groupID string, req wire.GroupNotifyRequest, opts ...CallOption) error {
	return c.postGroup(ctx, peer, PathNotifyGroup, groupID, &req, opts)
}

// GroupInfo returns groupID's settings and record, asked for member
// userID (G11, GET grpinfo?groupID=&userID=).
func (c *Client) GroupInfo(ctx context.Context, peer Peer, groupID, userID string, opts ...CallOption) (wire.GroupInfoResponse, error) {
	var r wire.GroupInfoResponse
	if err := requireGroupAndUser(groupID, userID); err != nil {
		return r, err
	}
	err := c.call(ctx, peer, http.MethodGet, withQuery(PathGroupInfo, "groupID", groupID, "userID", userID), nil, &r, opts)
	return r, err
}

// GroupMembers returns groupID's members, asked for member userID (G12,
// GET grpmembers?groupID=&userID=).
func (c *Client) GroupMembers(ctx context.Context, peer Peer, groupID, userID string, opts ...CallOption) ([]wire.GroupMember, error) {
	var r wire.GroupMembersResponse
	if err := requireGroupAndUser(groupID, userID); err != nil {
		return nil, err
	}
	err := c.call(ctx, peer, http.MethodGet, withQuery(PathGroupMembers, "groupID", groupID, "userID", userID), nil, &r, opts)
	return lenient.NonNil(r.Members), err
}

// postGroup is post for the interfaces that name the group in the query.
func (c *Client) postGroup(ctx context.Context, peer Peer, path, groupID string, req validator, opts []CallOption) error {
	if err := wire.RequireID("groupID", groupID); err != nil {
		return err
	}
	return c.post(ctx, peer, withQuery(path, "groupID", groupID), req, opts)
}

func requireGroupAndUser(groupID, userID string) error {
	if err := wire.RequireID("groupID", groupID); err != nil {
		return err
	}
	return wire.RequireID("userID", userID)
}

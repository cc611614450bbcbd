package adminclient

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// CreateGroup creates a group on this server, owned by a local user.
func (c *Client) CreateGroup(ctx context.Context, g adminapi.NewGroup) (adminapi.GroupView, error) {
	var out adminapi.GroupView
	return out, c.call(ctx, http.MethodPost, adminapi.PathGroups, nil, g, &out)
}

// Groups lists the groups a local user belongs to.
func (c *Client) Groups(ctx context.Context, user string) ([]adminapi.GroupEntry, error) {
	var out []adminapi.GroupEntry
	return out, c.call(ctx, http.MethodGet, adminapi.PathGroups, query("user", user), nil, &out)
}

// GroupShow describes a group, asked as a local member (G11 when the
// group lives on another server).
func (c *Client) GroupShow(ctx context.Context, user, group string) (adminapi.GroupView, error) {
	var out adminapi.GroupView
	return out, c.call(ctx, http.MethodGet, adminapi.PathGroupShow, query("user", user, "group", group), nil, &out)
}

// GroupMembers lists a group's members, asked as a local member (G12
// when the group lives on another server).
func (c *Client) GroupMembers(ctx context.Context, user, group string) ([]wire.GroupMember, error) {
	var out []wire.GroupMember
	return out, c.call(ctx, http.MethodGet, adminapi.PathGroupMembers, query("user", user, "group", group), nil, &out)
}

// GroupInvitations lists a local user's unanswered invitations.
func (c *Client) GroupInvitations(ctx context.Context, user string) ([]adminapi.GroupInvitation, error) {
	var out []adminapi.GroupInvitation
	return out, c.call(ctx, http.MethodGet, adminapi.PathGroupInvitations, query("user", user), nil, &out)
}

// InviteToGroup invites users into group as a local member (G1).
func (c *Client) InviteToGroup(ctx context.Context, user, group string, users []string) (adminapi.GroupResult, error) {
	return c.groupOp(ctx, adminapi.PathGroupInvite, adminapi.GroupInvite{User: user, Group: group, Users: users})
}

// AnswerGroupInvite accepts or refuses an invitation (G2); accepting
// without one applies to join a searchable group.
func (c *Client) AnswerGroupInvite(ctx context.Context, user, group string, agree bool) (adminapi.GroupResult, error) {
	return c.groupOp(ctx, adminapi.PathGroupAnswer, adminapi.GroupAnswer{User: user, Group: group, Agree: agree})
}

// RemoveGroupMembers removes members from group, as its owner (G3).
func (c *Client) RemoveGroupMembers(ctx context.Context, user, group string, members []string) (adminapi.GroupResult, error) {
	return c.groupOp(ctx, adminapi.PathGroupRemove, adminapi.GroupMembersChange{User: user, Group: group, Members: members})
}

// QuitGroup makes a local member leave group (G4).
func (c *Client) QuitGroup(ctx context.Context, user, group string) (adminapi.GroupResult, error) {
	return c.groupOp(ctx, adminapi.PathGroupQuit, adminapi.GroupUser{User: user, Group: group})
}

// DissolveGroup dissolves group, as its owner (G5).
func (c *Client) DissolveGroup(ctx context.Context, user, group string) (adminapi.GroupResult, error) {
	return c.groupOp(ctx, adminapi.PathGroupDissolve, adminapi.GroupUser{User: user, Group: group})
}

// SetGroup changes a group's name, icon or settings, as its owner or an
// admin (G9 when the group lives on another server).
func (c *Client) SetGroup(ctx context.Context, req adminapi.GroupSet) (adminapi.GroupView, error) {
	var out adminapi.GroupView
	return out, c.call(ctx, http.MethodPost, adminapi.PathGroupSet, nil, req, &out)
}

// SetGroupAdmin makes member an admin of group, or a plain member again.
func (c *Client) SetGroupAdmin(ctx context.Context, user, group, member string, admin bool) (adminapi.GroupResult, error) {
	return c.groupOp(ctx, adminapi.PathGroupAdmin, adminapi.GroupAdmin{User: user, Group: group, Member: member, Admin: admin})
}

// TransferGroup hands group's ownership to another member on its server.
func (c *Client) TransferGroup(ctx context.Context, user, group, to string) (adminapi.GroupResult, error) {
	return c.groupOp(ctx, adminapi.PathGroupTransfer, adminapi.GroupTransfer{User: user, Group: group, To: to})
}

// SendGroup sends a message to a group as a local member; it returns
// once the message is durable.
func (c *Client) SendGroup(ctx context.Context, req adminapi.GroupSend) (imstore.SentMessage, error) {
	var out imstore.SentMessage
	return out, c.call(ctx, http.MethodPost, adminapi.PathGroupMessages, nil, req, &out)
}

// SendGroupText sends a text message to a group.
func (c *Client) SendGroupText(ctx context.Context, user, group, text string) (imstore.SentMessage, error) {
	return c.SendGroup(ctx, adminapi.GroupSend{User: user, Group: group, MessageType: wire.MessageText, Text: text})
}

// SendGroupFile uploads r (streamed) and sends it to a group as an
// image, voice or file message.
func (c *Client) SendGroupFile(ctx context.Context, user, group, messageType, name string, r io.Reader, duration int) (imstore.SentMessage, error) {
	meta, err := c.Upload(ctx, user, name, r)
	if err != nil {
		return imstore.SentMessage{}, err
	}
	return c.SendGroup(ctx, adminapi.GroupSend{User: user, Group: group, MessageType: messageType, FileID: meta.FileID, Duration: duration})
}

// GroupHistory returns up to limit (0: the server's page) of group's
// messages after messageID after ("" from the oldest), oldest first.
func (c *Client) GroupHistory(ctx context.Context, user, group, after string, limit int) (adminapi.GroupHistory, error) {
	var out adminapi.GroupHistory
	q := query("user", user, "group", group, "after", after)
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return out, c.call(ctx, http.MethodGet, adminapi.PathGroupHistory, q, nil, &out)
}

func (c *Client) groupOp(ctx context.Context, path string, req any) (adminapi.GroupResult, error) {
	var out adminapi.GroupResult
	return out, c.call(ctx, http.MethodPost, path, nil, req, &out)
}

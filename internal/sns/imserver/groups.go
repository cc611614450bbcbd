package imserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Reasons of the group interfaces' refusals (docs/PROTOCOL.md, section 9).
// Like the others, they never change meaning.
const (
	ReasonUnknownGroup     = "unknown_group"      // 404: no such group on this server
	ReasonGroupDissolved   = "group_dissolved"    // 410: the group was dissolved
	ReasonNotMember        = "not_member"         // 403: the user is not a member (G8: no user of the caller is)
	ReasonNotOwner         = "not_owner"          // 403: only the owner may
	ReasonNotAdmin         = "not_admin"          // 403: only the owner or an admin may
	ReasonInviteNotAllowed = "invite_not_allowed" // 403: members may not invite (isAllow 2)
	ReasonNotInvited       = "not_invited"        // 403: no invitation, and the group takes no applications (isVisible 2)
	ReasonNotMainServer    = "not_main_server"    // 403: a G1/G7/G10 not sent by the group's main server
	ReasonNotHosted        = "not_hosted"         // 403: the main server names a user this server does not host in the group
)

// groupRoutes are the group interfaces (§6.4.2). G5 is told with G10
// operType 3 and G6 is S1 with type 2 (chat.go hands it to groupchat.go).
var groupRoutes = []route{
	{http.MethodPost, "/invite/grpreq", (*Server).handleInviteGroup},       // G1, groupcalls.go
	{http.MethodPost, "/invite/grprep", (*Server).handleAnswerGroupInvite}, // G2
	{http.MethodPost, "/remove/grpmembers", (*Server).handleRemoveMembers}, // G3
	{http.MethodPost, "/quit/grpmember", (*Server).handleQuitGroup},        // G4
	{http.MethodPost, "/notify/grpchat", (*Server).handleNotifyGroupChat},  // G7, groupnotify.go
	{http.MethodGet, "/grpchat", (*Server).handleGroupChat},                // G8, groupcalls.go
	{http.MethodPost, "/update/grpinfo", (*Server).handleUpdateGroup},      // G9
	{http.MethodPost, "/notify/grpnotify", (*Server).handleNotifyGroup},    // G10, groupnotify.go
	{http.MethodGet, "/grpinfo", (*Server).handleGroupInfo},                // G11, groupcalls.go
	{http.MethodGet, "/grpmembers", (*Server).handleGroupMembers},          // G12
}

// groupPageSize bounds a G8 answer (docs/PROTOCOL.md, section 9).
const groupPageSize = 100

// groupPath is the path of a group interface for groupID, as queued.
func groupPath(path, groupID string) string {
	return "/sns/" + path + "?groupID=" + url.QueryEscape(groupID)
}

// mainView is a group of this server with its members, read under
// s.groupMu: what every rule is checked against.
type mainView struct {
	g       imstore.Group
	members []imstore.GroupMember
}

// atMain runs fn on a group of this server with s.groupMu held, so that
// every change, and the notices it queues, sees the one before it.
func (s *Server) atMain(groupID string, fn func(*mainView) error) error {
	s.groupMu.Lock()
	defer s.groupMu.Unlock()
	v, err := s.mainGroup(groupID)
	if err != nil {
		return err
	}
	return fn(v)
}

// mainGroup loads a group of this server: unknown_group if there is none,
// group_dissolved once dissolved.
func (s *Server) mainGroup(groupID string) (*mainView, error) {
	g, err := s.st.GetGroup(groupID)
	if errors.Is(err, imstore.ErrNotFound) || errors.Is(err, imstore.ErrInvalid) {
		return nil, refuse(http.StatusNotFound, ReasonUnknownGroup, "%s has no group %s", s.self, groupID)
	}
	if err != nil {
		return nil, err
	}
	if g.Dissolved {
		return nil, refuse(http.StatusGone, ReasonGroupDissolved, "group %s was dissolved", groupID)
	}
	members, err := s.st.GroupMembers(groupID)
	if err != nil {
		return nil, err
	}
	return &mainView{g: g, members: members}, nil
}

func (v *mainView) member(id string) (imstore.GroupMember, bool) {
	i := slices.IndexFunc(v.members, func(m imstore.GroupMember) bool { return m.UserID == id })
	if i < 0 {
		return imstore.GroupMember{}, false
	}
	return v.members[i], true
}

// requireMember refuses a user who is not a member.
func (v *mainView) requireMember(id string) (imstore.GroupMember, error) {
	m, ok := v.member(id)
	if !ok {
		return m, refuse(http.StatusForbidden, ReasonNotMember, "%s is not a member of group %s", id, v.g.GroupID)
	}
	return m, nil
}

// requireRole refuses a user below role (RoleAdmin: owner or admin).
func (v *mainView) requireRole(id string, role int) (imstore.GroupMember, error) {
	m, err := v.requireMember(id)
	if err != nil || m.Role >= role {
		return m, err
	}
	if role == imstore.RoleOwner {
		return m, refuse(http.StatusForbidden, ReasonNotOwner, "%s is not the owner of group %s: only %s may", id, v.g.GroupID, v.g.Owner)
	}
	return m, refuse(http.StatusForbidden, ReasonNotAdmin, "%s is neither the owner nor an admin of group %s", id, v.g.GroupID)
}

// servers are the other servers with members among v's and extra.
func (s *Server) servers(v *mainView, extra ...string) []string {
	var out []string
	add := func(id string) {
		a, err := wire.ParseAddress(id)
		if err == nil && !s.isSelf(a) && !slices.Contains(out, a.Domain()) {
			out = append(out, a.Domain())
		}
	}
	for _, m := range v.members {
		add(m.UserID)
	}
	for _, id := range extra {
		add(id)
	}
	slices.Sort(out)
	return out
}

// memberInfo is a member's userInfo as G10 and G12 carry it.
func memberInfo(m imstore.GroupMember) wire.UserInfo {
	p := m.Profile
	return wire.UserInfo{UserID: m.UserID, Name: p.Name, PhoneNumber: p.PhoneNumber, Portrait: p.Portrait, Remark: p.Remark}
}

func (v *mainView) settings() wire.GroupSettings {
	return wire.GroupSettings{IsAllow: v.g.IsAllow, IsVisible: v.g.IsVisible}
}

func (v *mainView) info() wire.GroupInfo {
	g := v.g
	return wire.GroupInfo{GroupID: g.GroupID, GroupName: g.Name, GroupIcon: g.Icon, GroupMemberNum: g.Members, CreateUser: g.CreatedBy, CreateTime: g.CreatedAt.UnixMilli()}
}

// notices are the G10 calls telling every server in dests what happened,
// one each, queued in the group's conversation.
func (s *Server) notices(v *mainView, dests []string, op int, operUser wire.UserInfo, users []wire.UserInfo) ([]imstore.Send, error) {
	set := v.settings()
	body, err := json.Marshal(wire.GroupNotifyRequest{OperType: op, OperUser: operUser, GrpSet: &set, Users: users})
	if err != nil {
		return nil, err
	}
	var sends []imstore.Send
	for _, d := range dests {
		sends = append(sends, imstore.Send{Destination: d, Conversation: imstore.GroupConversation(v.g.GroupID), Path: groupPath("notify/grpnotify", v.g.GroupID), Body: body})
	}
	return sends, nil
}

// change records a change of a group of this server with the G10 notices
// of operType op for every server that had, or now has, members.
func (s *Server) change(v *mainView, c imstore.GroupChange, op int, oper imstore.GroupMember, users []wire.UserInfo) (imstore.Group, error) {
	var added []string
	for _, m := range c.Add {
		added = append(added, m.UserID)
	}
	c.GroupID = v.g.GroupID
	if c.Update != nil {
		// The notice carries the settings after the change.
		next := v.g
		if err := c.Update(&next); err != nil {
			return imstore.Group{}, err
		}
		v = &mainView{g: next, members: v.members}
	}
	sends, err := s.notices(v, s.servers(v, added...), op, memberInfo(oper), users)
	if err != nil {
		return imstore.Group{}, err
	}
	g, err := s.st.ChangeGroup(c, sends...)
	if err == nil {
		s.wakeAll(sends)
	}
	return g, err
}

func (s *Server) wakeAll(sends []imstore.Send) {
	for _, d := range sends {
		s.out.wake(d.Destination)
	}
}

// normalizeIDs reads full ids (or local users' ids) given to an
// operation, once each.
func (s *Server) normalizeIDs(field string, list []string) ([]string, error) {
	if len(list) == 0 {
		return nil, invalid(fmt.Errorf("%s: name at least one user", field))
	}
	var out []string
	for _, id := range list {
		a, err := s.address(field, id)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, a.String()) {
			out = append(out, a.String())
		}
	}
	return out, nil
}

// mainInvite invites users into a group of this server, for inviter, a
// member (checked here, whoever asks): the owner and admins always, others
// when isAllow is 1. A local invitee gets the invitation here; the others'
// servers are sent G1, one per server.
func (s *Server) mainInvite(v *mainView, inviter string, invitees []string) error {
	m, err := v.requireMember(inviter)
	if err != nil {
		return err
	}
	if m.Role == imstore.RoleMember && v.g.IsAllow != wire.Yes {
		return refuse(http.StatusForbidden, ReasonInviteNotAllowed, "group %s lets only its owner and admins invite (isAllow 2); %s is neither", v.g.GroupID, inviter)
	}
	var invs []imstore.GroupInvitation
	byServer := map[string][]string{}
	for _, id := range invitees {
		if _, ok := v.member(id); ok {
			continue
		}
		a, _ := wire.ParseAddress(id)
		if s.isSelf(a) {
			if _, err := s.localUser("invitee", id); err != nil {
				return err
			}
		} else {
			byServer[a.Domain()] = append(byServer[a.Domain()], id)
		}
		invs = append(invs, imstore.GroupInvitation{GroupID: v.g.GroupID, GroupName: v.g.Name, Invitee: id, Inviter: inviter, Main: s.self})
	}
	var sends []imstore.Send
	info := memberInfo(m)
	for _, d := range slices.Sorted(maps.Keys(byServer)) {
		body, err := json.Marshal(wire.InviteRequest{UserID: inviter, ReqInfo: wire.InviteInfo{
			GroupInfo: wire.GroupInfo{GroupID: v.g.GroupID, GroupName: v.g.Name}, UserInfo: &info, InviteUsers: byServer[d]}})
		if err != nil {
			return err
		}
		sends = append(sends, imstore.Send{Destination: d, Conversation: imstore.GroupConversation(v.g.GroupID), Path: "/sns/invite/grpreq", Body: body})
	}
	if err := s.st.PutInvitations(invs, sends...); err != nil {
		return err
	}
	s.wakeAll(sends)
	return nil
}

// mainAnswer is an invitee's answer (G2, or a local user's): agreeing
// makes them a member, with profile, told to every server with members
// (G10 operType 1). Agreeing without an invitation is an application to
// join, accepted when the group is searchable (isVisible 1). Answering
// again as before succeeds.
func (s *Server) mainAnswer(v *mainView, invitee string, profile imstore.Profile, agree bool) error {
	if _, ok := v.member(invitee); ok {
		if agree {
			return nil
		}
		return refuse(http.StatusConflict, ReasonConflict, "%s is a member of group %s already: quit instead", invitee, v.g.GroupID)
	}
	inv, invited, err := s.st.Invitation(v.g.GroupID, invitee)
	if err != nil {
		return err
	}
	if !agree {
		if invited {
			_, err = s.st.DeleteInvitation(v.g.GroupID, invitee)
		}
		return err
	}
	if !invited && v.g.IsVisible != wire.Yes {
		return refuse(http.StatusForbidden, ReasonNotInvited, "%s was not invited into group %s, which takes no applications (isVisible 2): ask a member to invite you", invitee, v.g.GroupID)
	}
	m := imstore.GroupMember{UserID: invitee, Role: imstore.RoleMember, Profile: profile}
	oper := m
	if im, ok := v.member(inv.Inviter); invited && ok {
		oper = im
	}
	_, err = s.change(v, imstore.GroupChange{Add: []imstore.GroupMember{m}}, wire.OperAddMembers, oper, []wire.UserInfo{memberInfo(m)})
	return err
}

// answerAtMain is mainAnswer for a group of this server, the new member's
// profile asked first (S8 for another server's user), outside the lock.
func (s *Server) answerAtMain(ctx context.Context, gid, invitee string, agree bool) error {
	profile := imstore.Profile{UserID: invitee}
	if agree {
		profile = s.profileFor(ctx, invitee)
	}
	return s.atMain(gid, func(v *mainView) error { return s.mainAnswer(v, invitee, profile, agree) })
}

// profileFor is a new member's profile: a local user's record, or what
// the user's server answers to S8 (only the id if it does not).
func (s *Server) profileFor(ctx context.Context, id string) imstore.Profile {
	a, err := wire.ParseAddress(id)
	if err != nil {
		return imstore.Profile{UserID: id}
	}
	if s.isSelf(a) {
		if u, err := s.st.GetUser(a.Local); err == nil {
			return profileOf(id, s.userInfo(u))
		}
		return imstore.Profile{UserID: id}
	}
	peer, err := s.peerOf(ctx, id)
	if err != nil {
		return imstore.Profile{UserID: id}
	}
	u, err := s.peers.User(ctx, peer, id)
	if err != nil {
		return imstore.Profile{UserID: id}
	}
	return profileOf(id, u)
}

// mainRemove removes members (G3, or the local owner): the owner only,
// and not the owner itself.
func (s *Server) mainRemove(v *mainView, operator string, removed []string) ([]string, error) {
	oper, err := v.requireRole(operator, imstore.RoleOwner)
	if err != nil {
		return nil, err
	}
	var gone []string
	var users []wire.UserInfo
	for _, id := range removed {
		m, ok := v.member(id)
		if !ok {
			continue
		}
		if id == v.g.Owner {
			return nil, refuse(http.StatusConflict, ReasonConflict, "the owner cannot be removed from group %s: transfer it or dissolve the group", v.g.GroupID)
		}
		gone, users = append(gone, id), append(users, memberInfo(m))
	}
	if len(gone) == 0 {
		return nil, refuse(http.StatusForbidden, ReasonNotMember, "none of %v is a member of group %s", removed, v.g.GroupID)
	}
	_, err = s.change(v, imstore.GroupChange{Remove: gone}, wire.OperRemoveMembers, oper, users)
	return gone, err
}

// mainQuit makes a member other than the owner leave (G4, or a local
// member).
func (s *Server) mainQuit(v *mainView, user string) error {
	m, err := v.requireMember(user)
	if err != nil {
		return err
	}
	if m.Role == imstore.RoleOwner {
		return refuse(http.StatusConflict, ReasonConflict, "the owner cannot quit group %s: transfer it first, or dissolve it", v.g.GroupID)
	}
	_, err = s.change(v, imstore.GroupChange{Remove: []string{user}}, wire.OperRemoveMembers, m, []wire.UserInfo{memberInfo(m)})
	return err
}

// mainUpdate changes the name, icon or settings (G9, or a local owner or
// admin), told with G10 operType 7.
func (s *Server) mainUpdate(v *mainView, operator string, gset *wire.GroupSettings, name, icon *string) (imstore.Group, error) {
	oper, err := v.requireRole(operator, imstore.RoleAdmin)
	if err != nil {
		return imstore.Group{}, err
	}
	update := func(g *imstore.Group) error {
		if gset != nil {
			if gset.IsAllow != 0 {
				g.IsAllow = gset.IsAllow
			}
			if gset.IsVisible != 0 {
				g.IsVisible = gset.IsVisible
			}
		}
		if name != nil {
			g.Name = *name
		}
		if icon != nil {
			g.Icon = *icon
		}
		return nil
	}
	return s.change(v, imstore.GroupChange{Update: update}, wire.OperInfoChanged, oper, []wire.UserInfo{})
}

// mainDissolve dissolves a group (the owner), told with G10 operType 3.
func (s *Server) mainDissolve(v *mainView, operator string) error {
	oper, err := v.requireRole(operator, imstore.RoleOwner)
	if err != nil {
		return err
	}
	_, err = s.change(v, imstore.GroupChange{Update: func(g *imstore.Group) error { g.Dissolved = true; return nil }}, wire.OperDissolve, oper, []wire.UserInfo{})
	return err
}

// mainSetAdmin makes member an admin or a plain member again (the owner),
// told with G10 operType 4 or 5.
func (s *Server) mainSetAdmin(v *mainView, operator, member string, admin bool) error {
	oper, err := v.requireRole(operator, imstore.RoleOwner)
	if err != nil {
		return err
	}
	m, err := v.requireMember(member)
	if err != nil {
		return err
	}
	if m.Role == imstore.RoleOwner {
		return refuse(http.StatusConflict, ReasonConflict, "%s owns group %s: the owner's role changes only by a transfer", member, v.g.GroupID)
	}
	role, op := imstore.RoleAdmin, wire.OperSetAdmin
	if !admin {
		role, op = imstore.RoleMember, wire.OperUnsetAdmin
	}
	_, err = s.change(v, imstore.GroupChange{Roles: map[string]int{member: role}}, op, oper, []wire.UserInfo{memberInfo(m)})
	return err
}

// mainTransfer hands ownership to a member of this server (§6.4.2.1:
// never to another server's), told with G10 operType 6.
func (s *Server) mainTransfer(v *mainView, operator, to string) error {
	oper, err := v.requireRole(operator, imstore.RoleOwner)
	if err != nil {
		return err
	}
	m, err := v.requireMember(to)
	if err != nil {
		return err
	}
	if a, _ := wire.ParseAddress(to); !s.isSelf(a) {
		return refuse(http.StatusBadRequest, ReasonNotLocal, "%s is a member on %s: a group's owner must be a member of its main server %s (§6.4.2.1)", to, a.Domain(), s.self)
	}
	if to == operator {
		return nil
	}
	c := imstore.GroupChange{Roles: map[string]int{to: imstore.RoleOwner, operator: imstore.RoleMember}, Update: func(g *imstore.Group) error { g.Owner = to; return nil }}
	_, err = s.change(v, c, wire.OperTransfer, oper, []wire.UserInfo{memberInfo(m)})
	return err
}

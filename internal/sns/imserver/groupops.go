package imserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// What a local user does with groups (the admin API's group operations).
// For a group of this server the main server's rules apply here
// (groups.go); for a group of another server the operation is the group
// interface asking it, made now so that its refusal reaches the user, and
// this server's routes follow the main server's answer. Messages are
// queued instead (groupchat.go).

// groupOf reads the group an operation names and says whether it is one
// of this server's.
func (s *Server) groupOf(id string) (wire.Address, bool, error) {
	a, err := wire.ParseAddress(id)
	if err != nil {
		return a, false, invalid(fmt.Errorf("group: %v", err))
	}
	return a, s.isSelf(a), nil
}

// member is a local user's full id, once the user is known.
func (s *Server) member(user string) (imstore.User, string, error) {
	u, err := s.st.GetUser(user)
	return u, user + "@" + s.self, err
}

// groupOp is what a local user's operation on a group starts from: the
// user, known, and the group it names, this server's (mine) or another's.
type groupOp struct {
	u    imstore.User
	user string // the local name
	self string // the user's full id
	g    wire.Address
	gid  string // g.String()
	mine bool
}

func (s *Server) groupOp(user, group string) (groupOp, error) {
	u, self, err := s.member(user)
	if err != nil {
		return groupOp{}, err
	}
	g, mine, err := s.groupOf(group)
	if err != nil {
		return groupOp{}, err
	}
	return groupOp{u: u, user: user, self: self, g: g, gid: g.String(), mine: mine}, nil
}

// CreateGroup creates a group on this server, owned by a local user.
func (s *Server) CreateGroup(req adminapi.NewGroup) (adminapi.GroupView, error) {
	u, self, err := s.member(req.User)
	if err != nil {
		return adminapi.GroupView{}, err
	}
	set := wire.GroupSettings{IsAllow: req.IsAllow, IsVisible: req.IsVisible}
	if set.IsAllow == 0 {
		set.IsAllow = wire.Yes
	}
	if set.IsVisible == 0 {
		set.IsVisible = wire.No
	}
	if err := set.Validate(); err != nil {
		return adminapi.GroupView{}, invalid(err)
	}
	gid, err := imstore.NewID(s.self)
	if err != nil {
		return adminapi.GroupView{}, err
	}
	g, err := s.st.CreateGroup(imstore.Group{GroupID: gid, Name: req.Name, Icon: req.Icon, IsAllow: set.IsAllow, IsVisible: set.IsVisible},
		imstore.GroupMember{UserID: self, Profile: profileOf(self, s.userInfo(u))})
	if err != nil {
		return adminapi.GroupView{}, err
	}
	return s.viewOf(&mainView{g: g}), nil
}

func (s *Server) viewOf(v *mainView) adminapi.GroupView {
	return adminapi.GroupView{GroupInfo: v.info(), GSet: v.settings(), Main: s.self}
}

// Groups lists the groups a local user belongs to: this server's, and
// those of other servers it routes the user to.
func (s *Server) Groups(user string) ([]adminapi.GroupEntry, error) {
	_, self, err := s.member(user)
	if err != nil {
		return nil, err
	}
	out := []adminapi.GroupEntry{}
	groups, err := s.st.GroupsOf(self)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if !g.Dissolved {
			out = append(out, adminapi.GroupEntry{GroupID: g.GroupID, GroupName: g.Name, Main: s.self, UserType: g.Role})
		}
	}
	routes, err := s.st.GroupRoutesOf(user)
	for _, r := range routes {
		out = append(out, adminapi.GroupEntry{GroupID: r.GroupID, GroupName: r.GroupName, Main: r.Main})
	}
	return out, err
}

// Invitations lists a local user's unanswered invitations.
func (s *Server) Invitations(user string) ([]adminapi.GroupInvitation, error) {
	_, self, err := s.member(user)
	if err != nil {
		return nil, err
	}
	invs, err := s.st.Invitations(self)
	out := make([]adminapi.GroupInvitation, len(invs))
	for i, inv := range invs {
		out[i] = adminapi.GroupInvitation{GroupID: inv.GroupID, GroupName: inv.GroupName, Invitee: inv.Invitee, Inviter: inv.Inviter, Main: inv.Main, InvitedAt: inv.InvitedAt.UTC()}
	}
	return out, err
}

// remote is the main server of a group of another server, for a local
// member (a route must say so unless any is set).
func (s *Server) remote(ctx context.Context, op groupOp, any bool) (client.Peer, error) {
	if !any {
		if err := s.requireRoute(op.gid, op.user); err != nil {
			return client.Peer{}, err
		}
	}
	return s.peerOfDestination(ctx, op.g.Domain())
}

// localView is a group of this server as one of its members sees it:
// not_member for anyone else.
func (s *Server) localView(gid, self string) (*mainView, error) {
	v, err := s.mainGroup(gid)
	if err == nil {
		_, err = v.requireMember(self)
	}
	return v, err
}

// GroupShow describes a group to a local member (G11 for another
// server's).
func (s *Server) GroupShow(ctx context.Context, user, group string) (adminapi.GroupView, error) {
	op, err := s.groupOp(user, group)
	if err != nil {
		return adminapi.GroupView{}, err
	}
	return s.groupShow(ctx, op)
}

func (s *Server) groupShow(ctx context.Context, op groupOp) (adminapi.GroupView, error) {
	if op.mine {
		v, err := s.localView(op.gid, op.self)
		if err != nil {
			return adminapi.GroupView{}, err
		}
		return s.viewOf(v), nil
	}
	peer, err := s.remote(ctx, op, false)
	if err != nil {
		return adminapi.GroupView{}, err
	}
	r, err := s.peers.GroupInfo(ctx, peer, op.gid, op.self)
	if err != nil {
		return adminapi.GroupView{}, err
	}
	// The main server's answer is the name to show from now on: a rename
	// reaches member servers as a G10 without the name.
	if r.GroupInfo.GroupName != "" {
		if err := s.st.RenameGroupRoutes(op.gid, r.GroupInfo.GroupName); err != nil {
			s.log.Warn("keeping a group's new name failed", "group", op.gid, "err", err)
		}
	}
	return adminapi.GroupView{GroupInfo: r.GroupInfo, GSet: r.GSet, Main: op.g.Domain()}, nil
}

// GroupMembers lists a group's members for a local member (G12 for
// another server's).
func (s *Server) GroupMembers(ctx context.Context, user, group string) ([]wire.GroupMember, error) {
	op, err := s.groupOp(user, group)
	if err != nil {
		return nil, err
	}
	if op.mine {
		v, err := s.localView(op.gid, op.self)
		if err != nil {
			return nil, err
		}
		return v.wireMembers(), nil
	}
	peer, err := s.remote(ctx, op, false)
	if err != nil {
		return nil, err
	}
	return s.peers.GroupMembers(ctx, peer, op.gid, op.self)
}

// InviteToGroup invites users as a local member (G1 to another server's
// group, whose server then invites them).
func (s *Server) InviteToGroup(ctx context.Context, user, group string, users []string) (adminapi.GroupResult, error) {
	op, err := s.groupOp(user, group)
	if err != nil {
		return adminapi.GroupResult{}, err
	}
	invitees, err := s.normalizeIDs("users", users)
	if err != nil {
		return adminapi.GroupResult{}, err
	}
	res := adminapi.GroupResult{GroupID: op.gid, Done: adminapi.GroupDoneInvited, Users: invitees}
	if op.mine {
		return res, s.atMain(op.gid, func(v *mainView) error { return s.mainInvite(v, op.self, invitees) })
	}
	peer, err := s.remote(ctx, op, false)
	if err != nil {
		return res, err
	}
	r, _, _ := s.st.GroupRoute(op.gid, op.user)
	info := s.userInfo(op.u)
	return res, s.peers.InviteGroup(ctx, peer, wire.InviteRequest{UserID: op.self, ReqInfo: wire.InviteInfo{
		GroupInfo: wire.GroupInfo{GroupID: op.gid, GroupName: r.GroupName}, UserInfo: &info, InviteUsers: invitees}})
}

// AnswerGroupInvite accepts or refuses an invitation as a local user
// (G2); agreeing without one applies to join. On another server's group,
// the route follows the main server's answer.
func (s *Server) AnswerGroupInvite(ctx context.Context, user, group string, agree bool) (adminapi.GroupResult, error) {
	op, err := s.groupOp(user, group)
	if err != nil {
		return adminapi.GroupResult{}, err
	}
	res := adminapi.GroupResult{GroupID: op.gid, Done: adminapi.GroupDoneRefused, Users: []string{op.self}}
	if agree {
		res.Done = adminapi.GroupDoneJoined
	}
	if op.mine {
		return res, s.answerAtMain(ctx, op.gid, op.self, agree)
	}
	peer, err := s.remote(ctx, op, true)
	if err != nil {
		return res, err
	}
	reply := wire.InviteReply{OwnerID: op.self, RespResult: wire.No}
	if agree {
		reply.RespResult = wire.Yes
	}
	err = s.peers.AnswerGroupInvite(ctx, peer, op.gid, reply)
	var ae *client.APIError
	switch {
	case err == nil && agree:
		return res, s.st.AddGroupRoutes(op.gid, op.g.Domain(), "", s.self, []string{op.user})
	case err == nil, errors.As(err, &ae) && (ae.Reason == ReasonGroupDissolved || ae.Reason == ReasonUnknownGroup):
		if _, derr := s.st.DeleteInvitation(op.gid, op.self); derr != nil {
			return res, derr
		}
	}
	return res, err
}

// RemoveGroupMembers removes members as a local owner (G3 to another
// server's group, which refuses it: owners live on the main server).
func (s *Server) RemoveGroupMembers(ctx context.Context, user, group string, members []string) (adminapi.GroupResult, error) {
	op, err := s.groupOp(user, group)
	if err != nil {
		return adminapi.GroupResult{}, err
	}
	ids, err := s.normalizeIDs("members", members)
	if err != nil {
		return adminapi.GroupResult{}, err
	}
	res := adminapi.GroupResult{GroupID: op.gid, Done: adminapi.GroupDoneRemoved, Users: ids}
	if op.mine {
		err = s.atMain(op.gid, func(v *mainView) error {
			res.Users, err = s.mainRemove(v, op.self, ids)
			return err
		})
		return res, err
	}
	peer, err := s.remote(ctx, op, false)
	if err != nil {
		return res, err
	}
	return res, s.peers.RemoveGroupMembers(ctx, peer, op.gid, wire.RemoveMembersRequest{OwnerID: op.self, Members: ids})
}

// QuitGroup makes a local member leave (G4 to another server's group).
func (s *Server) QuitGroup(ctx context.Context, user, group string) (adminapi.GroupResult, error) {
	op, err := s.groupOp(user, group)
	if err != nil {
		return adminapi.GroupResult{}, err
	}
	res := adminapi.GroupResult{GroupID: op.gid, Done: adminapi.GroupDoneQuit, Users: []string{op.self}}
	if op.mine {
		return res, s.atMain(op.gid, func(v *mainView) error { return s.mainQuit(v, op.self) })
	}
	peer, err := s.remote(ctx, op, false)
	if err != nil {
		return res, err
	}
	// The route goes when the main server's notice (G10) arrives: after
	// every message it queued for the member before, which would otherwise
	// be refused here (not_hosted).
	return res, s.peers.QuitGroup(ctx, peer, op.gid, wire.QuitRequest{OwnerID: op.self})
}

// ownerOp runs an operation only the owner may do, and only on the main
// group's server, where the owner always is (§6.4.2.1).
func (s *Server) ownerOp(user, group string, fn func(v *mainView, self string) error) (string, error) {
	op, err := s.groupOp(user, group)
	if err != nil {
		return "", err
	}
	if !op.mine {
		return op.gid, refuse(http.StatusForbidden, ReasonNotOwner, "group %s lives on %s, where its owner is: only the owner may do this, there", op.gid, op.g.Domain())
	}
	return op.gid, s.atMain(op.gid, func(v *mainView) error { return fn(v, op.self) })
}

// DissolveGroup dissolves a group of this server as its owner.
func (s *Server) DissolveGroup(user, group string) (adminapi.GroupResult, error) {
	gid, err := s.ownerOp(user, group, func(v *mainView, self string) error { return s.mainDissolve(v, self) })
	return adminapi.GroupResult{GroupID: gid, Done: adminapi.GroupDoneDissolved, Users: []string{}}, err
}

// SetGroupAdmin makes a member an admin, or a plain member again.
func (s *Server) SetGroupAdmin(user, group, member string, admin bool) (adminapi.GroupResult, error) {
	m, err := s.address("member", member)
	if err != nil {
		return adminapi.GroupResult{}, err
	}
	gid, err := s.ownerOp(user, group, func(v *mainView, self string) error { return s.mainSetAdmin(v, self, m.String(), admin) })
	res := adminapi.GroupResult{GroupID: gid, Done: adminapi.GroupDoneAdminSet, Users: []string{m.String()}}
	if !admin {
		res.Done = adminapi.GroupDoneAdminUnset
	}
	return res, err
}

// TransferGroup hands ownership to another member of this server.
func (s *Server) TransferGroup(user, group, to string) (adminapi.GroupResult, error) {
	m, err := s.address("to", to)
	if err != nil {
		return adminapi.GroupResult{}, err
	}
	gid, err := s.ownerOp(user, group, func(v *mainView, self string) error { return s.mainTransfer(v, self, m.String()) })
	return adminapi.GroupResult{GroupID: gid, Done: adminapi.GroupDoneTransferred, Users: []string{m.String()}}, err
}

// SetGroup changes a group's name, icon or settings as a local owner or
// admin (G9 to another server's group), and returns the group after.
func (s *Server) SetGroup(ctx context.Context, req adminapi.GroupSet) (adminapi.GroupView, error) {
	op, err := s.groupOp(req.User, req.Group)
	if err != nil {
		return adminapi.GroupView{}, err
	}
	if req.Name == nil && req.Icon == nil && req.IsAllow == 0 && req.IsVisible == 0 {
		return adminapi.GroupView{}, invalid(errors.New("name nothing to change: a name, an icon, isAllow or isVisible"))
	}
	var gset *wire.GroupSettings
	if req.IsAllow != 0 || req.IsVisible != 0 {
		// 0 is "unchanged": check the others as G9 would.
		if err := (&wire.GroupSettings{IsAllow: cmp.Or(req.IsAllow, wire.Yes), IsVisible: cmp.Or(req.IsVisible, wire.Yes)}).Validate(); err != nil {
			return adminapi.GroupView{}, invalid(err)
		}
		gset = &wire.GroupSettings{IsAllow: req.IsAllow, IsVisible: req.IsVisible}
	}
	if op.mine {
		var view adminapi.GroupView
		err := s.atMain(op.gid, func(v *mainView) error {
			ng, err := s.mainUpdate(v, op.self, gset, req.Name, req.Icon)
			view = s.viewOf(&mainView{g: ng})
			return err
		})
		return view, err
	}
	peer, err := s.remote(ctx, op, false)
	if err != nil {
		return adminapi.GroupView{}, err
	}
	upd := wire.UpdateGroupInfoRequest{OwnerID: op.self, GSet: gset}
	if gset != nil && (gset.IsAllow == 0 || gset.IsVisible == 0) {
		// G9 carries both settings: keep the one not changed.
		cur, err := s.peers.GroupInfo(ctx, peer, op.gid, op.self)
		if err != nil {
			return adminapi.GroupView{}, err
		}
		gset.IsAllow, gset.IsVisible = cmp.Or(gset.IsAllow, cur.GSet.IsAllow), cmp.Or(gset.IsVisible, cur.GSet.IsVisible)
	}
	if req.Name != nil || req.Icon != nil {
		upd.GroupInfo = &wire.GroupInfo{GroupID: op.gid}
		if req.Name != nil {
			upd.GroupInfo.GroupName = *req.Name
		}
		if req.Icon != nil {
			upd.GroupInfo.GroupIcon = *req.Icon
		}
	}
	if err := s.peers.UpdateGroup(ctx, peer, op.gid, upd); err != nil {
		return adminapi.GroupView{}, err
	}
	return s.groupShow(ctx, op)
}

// GroupHistory is a page of a group's messages for a local member (G8 to
// another server's group): at most limit (and the main server's page).
func (s *Server) GroupHistory(ctx context.Context, user, group, after string, limit int) (adminapi.GroupHistory, error) {
	op, err := s.groupOp(user, group)
	if err != nil {
		return adminapi.GroupHistory{}, err
	}
	if after != "" {
		if err := wire.RequireID("after", after); err != nil {
			return adminapi.GroupHistory{}, invalid(err)
		}
	}
	if limit <= 0 || limit > groupPageSize {
		limit = groupPageSize
	}
	var r wire.GroupChatHistoryResponse
	if op.mine {
		if _, err := s.localView(op.gid, op.self); err != nil {
			return adminapi.GroupHistory{}, err
		}
		r, err = s.history(op.gid, after, limit)
	} else {
		var peer client.Peer
		if peer, err = s.remote(ctx, op, false); err == nil {
			r, err = s.peers.GroupChat(ctx, peer, op.gid, after)
		}
	}
	if err != nil {
		return adminapi.GroupHistory{}, err
	}
	if len(r.Messages) > limit {
		r.Messages = r.Messages[:limit]
	}
	return adminapi.GroupHistory{NewestMessageID: r.NewestMessageID, Messages: r.Messages}, nil
}

package imserver

import (
	"context"
	"errors"
	"net/http"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// The group interfaces a member's server calls on the main group's server
// (G1 from a member's server, G2, G3, G4, G8, G9, G11, G12): the group must
// be one of this server's, and the user the call speaks for one of the
// caller's (wrong_sender otherwise). Every rule is then the main server's
// (groups.go).

// mainGroupID reads the groupID parameter, which must name a group of
// this server.
func (s *Server) mainGroupID(r *http.Request) (string, error) {
	id, err := queryID(r, "groupID")
	if err != nil {
		return "", err
	}
	return s.ownGroupID("groupID", id)
}

// ownGroupID checks that id names a group of this server (not_local).
func (s *Server) ownGroupID(field, id string) (string, error) {
	a, err := wire.ParseAddress(id)
	if err != nil {
		return "", badRequest(err)
	}
	if !s.isSelf(a) {
		return "", refuse(http.StatusBadRequest, ReasonNotLocal, "%s %s lives on %s, not on this server (%s): ask its main server", field, id, a.Domain(), s.self)
	}
	return a.Local + "@" + s.self, nil
}

// groupCall decodes a POST of a group interface at the main server and
// returns the group and the caller's user the body speaks for.
func (s *Server) groupCall(r *http.Request, req interface{ Validate() error }, user func() (string, string)) (string, string, error) {
	gid, err := s.mainGroupID(r)
	if err != nil {
		return "", "", err
	}
	if err := decodeBody(r, req); err != nil {
		return "", "", err
	}
	field, id := user()
	origin, _ := httpsig.OriginFrom(r.Context())
	id, err = s.fromCaller(r.Context(), field, id, origin)
	return gid, id, err
}

// handleInviteGroup is G1, POST /sns/invite/grpreq. At the main group's
// server, a member's server invites for its member; elsewhere, the main
// group's server hands the invitation to local invitees.
func (s *Server) handleInviteGroup(w http.ResponseWriter, r *http.Request) {
	var req wire.InviteRequest
	if err := decodeBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	origin, _ := httpsig.OriginFrom(ctx)
	gid := req.ReqInfo.GroupInfo.GroupID
	a, _ := wire.ParseAddress(gid)
	if !s.isSelf(a) {
		s.answer(w, r, s.invitedHere(ctx, req, origin))
		return
	}
	err := func() error {
		gid, err := s.ownGroupID("reqInfo.groupInfo.groupID", gid)
		if err != nil {
			return err
		}
		inviter, err := s.fromCaller(ctx, "userID", req.UserID, origin)
		if err != nil {
			return err
		}
		invitees, err := s.normalizeIDs("reqInfo.inviteUsers", req.ReqInfo.InviteUsers)
		if err != nil {
			return badRequest(err)
		}
		return s.atMain(gid, func(v *mainView) error { return s.mainInvite(v, inviter, invitees) })
	}()
	s.answer(w, r, err)
}

// invitedHere records, for local invitees, an invitation the main group's
// server sent.
func (s *Server) invitedHere(ctx context.Context, req wire.InviteRequest, origin string) error {
	gid := req.ReqInfo.GroupInfo.GroupID
	if err := s.fromMain(ctx, gid, origin); err != nil {
		return err
	}
	var invs []imstore.GroupInvitation
	for _, id := range req.ReqInfo.InviteUsers {
		u, err := s.hostedUser("reqInfo.inviteUsers", id)
		if err != nil {
			return err
		}
		invs = append(invs, imstore.GroupInvitation{GroupID: gid, GroupName: req.ReqInfo.GroupInfo.GroupName, Invitee: u.UserID + "@" + s.self, Inviter: req.UserID, Main: origin})
	}
	return s.st.PutInvitations(invs)
}

// fromMain refuses a call about groupID from a server other than the
// group's main server (not_main_server).
func (s *Server) fromMain(ctx context.Context, groupID, origin string) error {
	if _, err := s.fromCaller(ctx, "groupID", groupID, origin); err != nil {
		return refuse(http.StatusForbidden, ReasonNotMainServer, "group %s lives on another server than the caller %s: only its main server may send this", groupID, origin)
	}
	return nil
}

// hostedUser is localUser for ids the main group's server names as this
// server's: another server's id is not_hosted.
func (s *Server) hostedUser(field, id string) (imstore.User, error) {
	u, err := s.localUser(field, id)
	var e *apiError
	if errors.As(err, &e) && e.reason == ReasonNotLocal {
		return u, refuse(http.StatusForbidden, ReasonNotHosted, "%s %s is not a user of this server (%s)", field, id, s.self)
	}
	return u, err
}

// handleAnswerGroupInvite is G2, POST /sns/invite/grprep?groupID=.
func (s *Server) handleAnswerGroupInvite(w http.ResponseWriter, r *http.Request) {
	var req wire.InviteReply
	gid, user, err := s.groupCall(r, &req, func() (string, string) { return "ownerID", req.OwnerID })
	if err == nil {
		err = s.answerAtMain(r.Context(), gid, user, req.RespResult == wire.Yes)
	}
	s.answer(w, r, err)
}

// handleRemoveMembers is G3, POST /sns/remove/grpmembers?groupID=.
func (s *Server) handleRemoveMembers(w http.ResponseWriter, r *http.Request) {
	var req wire.RemoveMembersRequest
	gid, user, err := s.groupCall(r, &req, func() (string, string) { return "ownerID", req.OwnerID })
	if err == nil {
		var members []string
		if members, err = s.normalizeIDs("delateMembers", req.Members); err == nil {
			err = s.atMain(gid, func(v *mainView) error {
				_, err := s.mainRemove(v, user, members)
				return err
			})
		}
	}
	s.answer(w, r, err)
}

// handleQuitGroup is G4, POST /sns/quit/grpmember?groupID=.
func (s *Server) handleQuitGroup(w http.ResponseWriter, r *http.Request) {
	var req wire.QuitRequest
	gid, user, err := s.groupCall(r, &req, func() (string, string) { return "ownerID", req.OwnerID })
	if err == nil {
		err = s.atMain(gid, func(v *mainView) error { return s.mainQuit(v, user) })
	}
	s.answer(w, r, err)
}

// handleUpdateGroup is G9, POST /sns/update/grpinfo?groupID=: a part left
// out is unchanged, and so are an empty groupName and groupIcon; the other
// fields of groupInfo are the main server's.
func (s *Server) handleUpdateGroup(w http.ResponseWriter, r *http.Request) {
	var req wire.UpdateGroupInfoRequest
	gid, user, err := s.groupCall(r, &req, func() (string, string) { return "ownerID", req.OwnerID })
	if err == nil {
		var name, icon *string
		if gi := req.GroupInfo; gi != nil {
			if gi.GroupName != "" {
				name = &gi.GroupName
			}
			if gi.GroupIcon != "" {
				icon = &gi.GroupIcon
			}
		}
		err = s.atMain(gid, func(v *mainView) error {
			_, err := s.mainUpdate(v, user, req.GSet, name, icon)
			return err
		})
	}
	s.answer(w, r, err)
}

// queriedGroup checks a G11 or G12 query: a group of this server, and a
// member userID of the calling server.
func (s *Server) queriedGroup(r *http.Request) (*mainView, error) {
	gid, err := s.mainGroupID(r)
	if err != nil {
		return nil, err
	}
	id, err := queryID(r, "userID")
	if err != nil {
		return nil, err
	}
	origin, _ := httpsig.OriginFrom(r.Context())
	if id, err = s.fromCaller(r.Context(), "userID", id, origin); err != nil {
		return nil, err
	}
	return s.localView(gid, id)
}

// handleGroupInfo is G11, GET /sns/grpinfo?groupID=&userID=.
func (s *Server) handleGroupInfo(w http.ResponseWriter, r *http.Request) {
	v, err := s.queriedGroup(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.GroupInfoResponse{Envelope: wire.OK(), GSet: v.settings(), GroupInfo: v.info()})
}

// handleGroupMembers is G12, GET /sns/grpmembers?groupID=&userID=.
func (s *Server) handleGroupMembers(w http.ResponseWriter, r *http.Request) {
	v, err := s.queriedGroup(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.GroupMembersResponse{Envelope: wire.OK(), Members: v.wireMembers()})
}

func (v *mainView) wireMembers() []wire.GroupMember {
	out := make([]wire.GroupMember, len(v.members))
	for i, m := range v.members {
		out[i] = wire.GroupMember{UserType: m.Role, UserInfo: memberInfo(m)}
	}
	return out
}

// handleGroupChat is G8, GET /sns/grpchat?groupID=&messageID=: at most
// groupPageSize messages after messageID (from the oldest without it),
// only to a server that hosts a member.
func (s *Server) handleGroupChat(w http.ResponseWriter, r *http.Request) {
	resp, err := func() (wire.GroupChatHistoryResponse, error) {
		gid, err := s.mainGroupID(r)
		if err != nil {
			return wire.GroupChatHistoryResponse{}, err
		}
		after := r.URL.Query().Get("messageID")
		if after != "" {
			if after, err = queryID(r, "messageID"); err != nil {
				return wire.GroupChatHistoryResponse{}, err
			}
		}
		v, err := s.mainGroup(gid)
		if err != nil {
			return wire.GroupChatHistoryResponse{}, err
		}
		origin, _ := httpsig.OriginFrom(r.Context())
		if !s.hostsMember(r.Context(), v, origin) {
			return wire.GroupChatHistoryResponse{}, refuse(http.StatusForbidden, ReasonNotMember, "no member of group %s is a user of %s", gid, origin)
		}
		return s.history(gid, after, groupPageSize)
	}()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// hostsMember: is a member of v a user of origin.
func (s *Server) hostsMember(ctx context.Context, v *mainView, origin string) bool {
	for _, m := range v.members {
		if _, err := s.fromCaller(ctx, "member", m.UserID, origin); err == nil {
			return true
		}
	}
	return false
}

// history is a page of a group of this server's messages, as G8 answers.
// A revoked message is listed as a repeal of itself.
func (s *Server) history(groupID, after string, limit int) (wire.GroupChatHistoryResponse, error) {
	msgs, newest, err := s.st.GroupMessages(groupID, after, limit)
	if err != nil {
		return wire.GroupChatHistoryResponse{}, err
	}
	resp := wire.GroupChatHistoryResponse{Envelope: wire.OK(), NewestMessageID: newest, Messages: make([]wire.MessageInfo, len(msgs))}
	for i, m := range msgs {
		resp.Messages[i] = groupMessageInfo(m)
	}
	return resp, nil
}

func groupMessageInfo(m imstore.GroupMessage) wire.MessageInfo {
	mi := wire.MessageInfo{SenderID: m.From, RecvID: m.To, MessageType: m.MessageType, Version: wire.Version1, Type: wire.ChatGroup, MessageID: m.MessageID, FileID: m.FileID}
	if m.Revoked {
		mi.MessageType, mi.FileID, mi.Content = wire.MessageRepeal, "", &wire.RepealContent{}
		return mi
	}
	mi.Content, _ = wire.DecodeContent(m.MessageType, m.Content) // stored from a valid messageInfo
	return mi
}

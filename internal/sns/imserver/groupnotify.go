package imserver

import (
	"net/http"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// The calls the main group's server makes on a server with members (G7,
// G10): refused from any other server (not_main_server), and about this
// server's users only (not_hosted).

// handleNotifyGroupChat is G7, POST /sns/notify/grpchat?groupID=: a group
// message for the local members listed, each of whom must belong to the
// group here. Delivered once per member and messageID; a repeal revokes
// the local copies.
func (s *Server) handleNotifyGroupChat(w http.ResponseWriter, r *http.Request) {
	var req wire.NotifyGroupChatRequest
	gid, err := s.remoteGroupCall(r, &req)
	if err == nil && (req.MessageInfo.Type != wire.ChatGroup || req.MessageInfo.RecvID != gid) {
		err = refuse(http.StatusBadRequest, ReasonBadRequest, "messageInfo: a group message has type 2 and recvID the group (%s)", gid)
	}
	var users []string
	for _, id := range req.UserIDs {
		if err != nil {
			break
		}
		a, _ := wire.ParseAddress(id) // Validate checked it
		if !s.isSelf(a) {
			err = refuse(http.StatusForbidden, ReasonNotHosted, "userIDs: %s is not a user of this server (%s)", id, s.self)
		}
		users = append(users, a.Local)
	}
	if err == nil {
		var missing string
		if missing, err = s.st.UnroutedMember(gid, users); err == nil && missing != "" {
			err = refuse(http.StatusForbidden, ReasonNotHosted, "%s@%s is not a member of group %s here: was it told of the member first (G10 operType 1)?", missing, s.self, gid)
		}
	}
	if err == nil {
		msg := storedMessage(req.MessageInfo)
		if msg.MessageType == wire.MessageRepeal {
			by, _ := imstore.OriginOf(msg.MessageID)
			_, err = s.st.Repeal(msg.MessageID, by) // the main server checked the sender's server
		} else {
			err = s.st.DeliverGroup(users, msg)
		}
	}
	s.answer(w, r, err)
}

// handleNotifyGroup is G10, POST /sns/notify/grpnotify?groupID=: what
// changed in a group of the caller. This server keeps only routes: added
// local members are routed to the group, removed ones and, on
// dissolution, all are forgotten; the other operTypes change nothing here.
func (s *Server) handleNotifyGroup(w http.ResponseWriter, r *http.Request) {
	var req wire.GroupNotifyRequest
	gid, err := s.remoteGroupCall(r, &req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	origin, _ := httpsig.OriginFrom(r.Context())
	var local []string
	for _, u := range req.Users {
		if a, _ := wire.ParseAddress(u.UserID); s.isSelf(a) {
			if _, err := s.hostedUser("users.userID", u.UserID); err != nil && req.OperType == wire.OperAddMembers {
				s.writeError(w, r, err)
				return
			}
			local = append(local, a.Local)
		}
	}
	switch req.OperType {
	case wire.OperAddMembers:
		err = s.st.AddGroupRoutes(gid, origin, "", s.self, local)
	case wire.OperRemoveMembers:
		_, err = s.st.RemoveGroupRoutes(gid, local)
	case wire.OperDissolve:
		_, err = s.st.DropGroupRoutes(gid)
	}
	s.answer(w, r, err)
}

// remoteGroupCall decodes a call the main group's server makes: the group
// must be the caller's.
func (s *Server) remoteGroupCall(r *http.Request, req interface{ Validate() error }) (string, error) {
	id, err := queryID(r, "groupID")
	if err != nil {
		return "", err
	}
	a, _ := wire.ParseAddress(id)
	gid := a.String()
	origin, _ := httpsig.OriginFrom(r.Context())
	if err := s.fromMain(r.Context(), gid, origin); err != nil {
		return "", err
	}
	return gid, decodeBody(r, req)
}

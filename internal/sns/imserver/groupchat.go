package imserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// Group messages (figures 9–11): whoever sends, the main group's server
// stores the message (G8 serves it), delivers it to its own members and
// fans it out with G7, through the outbox, to every other server with
// members, each call listing that server's members (the sender left out).
// A member's server sends its member's message to the main server with S1
// (type 2, recvID the group).

// groupChatIn is S1 with type 2 at the main group's server: the sender,
// messageID and fileID must be the caller's; the sender must be a member.
// A file is re-hosted first (§6.4.2.10): downloaded from the caller with
// S2, checked against the size and md5 the message announces, and fanned
// out under a fileID of this server. A messageID already stored is
// answered with success and stored once.
func (s *Server) groupChatIn(r *http.Request, mi *wire.MessageInfo) error {
	ctx := r.Context()
	gid, err := s.ownGroupID("messageInfo.recvID", mi.RecvID)
	if err != nil {
		return err
	}
	origin, _ := httpsig.OriginFrom(ctx)
	for _, f := range []struct {
		field string
		id    *string
	}{{"messageInfo.senderID", &mi.SenderID}, {"messageInfo.messageID", &mi.MessageID}, {"messageInfo.fileID", &mi.FileID}} {
		if *f.id == "" {
			continue // only fileID may be empty: Validate requires the others
		}
		if *f.id, err = s.fromCaller(ctx, f.field, *f.id, origin); err != nil {
			return err
		}
	}
	mi.RecvID = gid
	held, seen, err := s.st.GroupMessageByID(mi.MessageID)
	switch {
	case err != nil:
		return err
	case mi.MessageType == wire.MessageRepeal:
		if seen && held.From != mi.SenderID {
			return refuse(http.StatusForbidden, ReasonWrongSender, "message %s was sent by %s, not %s: only its sender may repeal it", mi.MessageID, held.From, mi.SenderID)
		}
		_, err := s.mainRepeal(gid, mi.SenderID, mi.MessageID, "")
		return err
	case seen:
		return s.sameGroupMessage(held, *mi)
	}
	if _, err := s.localView(gid, mi.SenderID); err != nil {
		return err
	}
	if mi.FileID != "" {
		id, err := s.rehost(ctx, storedMessage(*mi))
		if err != nil {
			return err
		}
		mi.SetFileID(id)
	}
	_, err = s.mainMessage(*mi, "")
	return err
}

// sameGroupMessage answers a messageID stored already: success for a
// retry of the same message, duplicate_conflict (as for S1, chatrules.go)
// for another one. A file's id is not compared: the stored one is this
// server's, re-hosted.
func (s *Server) sameGroupMessage(held imstore.GroupMessage, mi wire.MessageInfo) error {
	m := storedMessage(mi)
	if held.From == m.From && held.To == m.To && held.MessageType == m.MessageType && (m.FileID != "" || bytes.Equal(held.Content, m.Content)) {
		return nil
	}
	s.duplicateConflicts.Add(1)
	s.log.Warn("a peer sent a group messageID already stored with other content; the first version is kept", "messageID", m.MessageID, "group", m.To, "from", m.From)
	return refuse(http.StatusConflict, ReasonDuplicateConflict,
		"message %s is already stored in group %s with other content: the first version is kept; send a new message with a new messageID", m.MessageID, m.To)
}

// rehost makes a member's file, announced by msg, a file of this server:
// downloaded from its origin (or found cached), then recorded under a new
// fileID of this server with the same content.
func (s *Server) rehost(ctx context.Context, msg imstore.Message) (string, error) {
	meta, err := s.st.GetFile(msg.FileID)
	if errors.Is(err, imstore.ErrNotFound) {
		var v any
		v, err, _ = s.files.downloads.Do(msg.FileID, func() (any, error) { return s.fetch(context.WithoutCancel(ctx), msg) })
		meta, _ = v.(imstore.FileMeta)
	}
	if err != nil {
		return "", err
	}
	id, err := imstore.NewID(s.self)
	if err != nil {
		return "", err
	}
	_, err = s.st.PutFile(imstore.FileMeta{FileID: id, Name: meta.Name, Size: meta.Size, MD5: meta.MD5, ContentHash: meta.ContentHash, Local: true})
	return id, err
}

// mainMessage records a message to a group of this server, delivers it to
// the local members and queues its fan-out, in one transaction; sender,
// when a local user, has it recorded as sent.
func (s *Server) mainMessage(mi wire.MessageInfo, sender string) (imstore.GroupMessage, error) {
	s.groupMu.RLock()
	defer s.groupMu.RUnlock()
	v, err := s.localView(mi.RecvID, mi.SenderID)
	if err != nil {
		return imstore.GroupMessage{}, err
	}
	local, sends, err := s.fanOut(v, mi)
	if err != nil {
		return imstore.GroupMessage{}, err
	}
	gm, dup, err := s.st.RecordGroupMessage(imstore.NewGroupMessage{GroupID: v.g.GroupID, Message: storedMessage(mi), Sender: sender, Local: local}, sends...)
	if err == nil && !dup {
		s.wakeAll(sends)
	}
	return gm, err
}

// fanOut is who gets a group message besides its sender: the local
// members, and a G7 for every other server with members.
func (s *Server) fanOut(v *mainView, mi wire.MessageInfo) ([]string, []imstore.Send, error) {
	var local []string
	byServer := map[string][]string{}
	for _, m := range v.members {
		if m.UserID == mi.SenderID {
			continue
		}
		a, _ := wire.ParseAddress(m.UserID)
		if s.isSelf(a) {
			local = append(local, a.Local)
		} else {
			byServer[a.Domain()] = append(byServer[a.Domain()], m.UserID)
		}
	}
	var sends []imstore.Send
	for _, d := range s.servers(v) {
		if len(byServer[d]) == 0 {
			continue
		}
		body, err := json.Marshal(wire.NotifyGroupChatRequest{UserIDs: byServer[d], MessageInfo: mi})
		if err != nil {
			return nil, nil, err
		}
		sends = append(sends, imstore.Send{Destination: d, Conversation: imstore.GroupConversation(v.g.GroupID), Path: groupPath("notify/grpchat", v.g.GroupID),
			Body: body, MessageID: mi.MessageID, FileID: mi.FileID})
	}
	return local, sends, nil
}

// mainRepeal revokes a message of a group of this server: in its history,
// at the local members, and at the other servers (G7 with a repeal).
// sender is the message's sender; localSender, when a local user, has the
// sent record revoked too.
func (s *Server) mainRepeal(gid, sender, messageID, localSender string) (imstore.GroupMessage, error) {
	s.groupMu.RLock()
	defer s.groupMu.RUnlock()
	v, err := s.mainGroup(gid)
	if err != nil {
		return imstore.GroupMessage{}, err
	}
	mi := wire.MessageInfo{SenderID: sender, RecvID: gid, MessageType: wire.MessageRepeal, Version: wire.Version1, Type: wire.ChatGroup, MessageID: messageID, Content: &wire.RepealContent{}}
	_, sends, err := s.fanOut(v, mi)
	if err != nil {
		return imstore.GroupMessage{}, err
	}
	gm, err := s.st.RepealGroupMessage(gid, messageID, localSender, sends...)
	if err == nil {
		s.wakeAll(sends)
	}
	return gm, err
}

// SendGroup sends a message from a local member to a group, acknowledged
// once durable: on the main group's server, stored, delivered locally and
// queued for the other servers; elsewhere, queued (S1, type 2) for the
// main group's server.
func (s *Server) SendGroup(req adminapi.GroupSend) (imstore.SentMessage, error) {
	if _, err := s.st.GetUser(req.User); err != nil {
		return imstore.SentMessage{}, err
	}
	group, err := s.address("group", req.Group)
	if err != nil {
		return imstore.SentMessage{}, err
	}
	mid, err := imstore.NewID(s.self)
	if err != nil {
		return imstore.SentMessage{}, err
	}
	mi := wire.MessageInfo{SenderID: req.User + "@" + s.self, RecvID: group.String(), MessageType: req.MessageType, Version: wire.Version1, Type: wire.ChatGroup, MessageID: mid, FileID: req.FileID}
	if mi.Content, err = s.content(mi.MessageType, SendRequest{MessageType: req.MessageType, Text: req.Text, FileID: req.FileID, Duration: req.Duration}); err != nil {
		return imstore.SentMessage{}, err
	}
	if err := mi.Validate(); err != nil {
		return imstore.SentMessage{}, invalid(err)
	}
	if s.isSelf(group) {
		if _, err := s.mainMessage(mi, req.User); err != nil {
			return imstore.SentMessage{}, err
		}
		return s.st.GetSent(mid)
	}
	if err := s.requireRoute(group.String(), req.User); err != nil {
		return imstore.SentMessage{}, err
	}
	send, err := s.outgoing(group, mi.SenderID, "/sns/chat", wire.ChatRequest{MessageInfo: mi})
	if err != nil {
		return imstore.SentMessage{}, err
	}
	send.MessageID, send.FileID = mid, mi.FileID
	sent, err := s.st.RecordSent(req.User, storedMessage(mi), send)
	if err == nil {
		s.out.wake(send.Destination)
	}
	return sent, err
}

// requireRoute refuses a local user who does not belong to a group of
// another server, as far as this server knows.
func (s *Server) requireRoute(gid, user string) error {
	_, ok, err := s.st.GroupRoute(gid, user)
	if err == nil && !ok {
		err = refuse(http.StatusForbidden, ReasonNotMember, "%s is not a member of group %s (or its main server has not said so yet)", user, gid)
	}
	return err
}

// repealGroup revokes a group message a local user sent (Repeal).
func (s *Server) repealGroup(user string, sent imstore.SentMessage) (imstore.SentMessage, error) {
	if sent.User != user {
		sent, _, err := s.st.RepealSent(user, sent.MessageID) // refused: not the sender's
		return sent, err
	}
	group, err := wire.ParseAddress(sent.To)
	if err != nil {
		return sent, err
	}
	if s.isSelf(group) {
		if _, err := s.mainRepeal(group.String(), sent.From, sent.MessageID, user); err != nil {
			return sent, err
		}
		return s.st.GetSent(sent.MessageID)
	}
	if sent.Revoked {
		return sent, nil
	}
	mi := wire.MessageInfo{SenderID: sent.From, RecvID: sent.To, MessageType: wire.MessageRepeal, Version: wire.Version1,
		Type: wire.ChatGroup, MessageID: sent.MessageID, Content: &wire.RepealContent{}}
	send, err := s.outgoing(group, sent.From, "/sns/chat", wire.ChatRequest{MessageInfo: mi})
	if err != nil {
		return sent, err
	}
	send.MessageID = sent.MessageID
	sent, _, err = s.st.RepealSent(user, sent.MessageID, send)
	if err == nil {
		s.out.wake(send.Destination)
	}
	return sent, err
}

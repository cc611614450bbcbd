package imserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// SendRequest is a message a local user sends.
type SendRequest = adminapi.SendRequest

// Send records a message from a local user and acknowledges it only once
// it is durable: for a recipient of another server, the message is in the
// outbox, queued behind the earlier messages of the same conversation; for
// a local recipient, it is in the recipient's inbox.
func (s *Server) Send(req SendRequest) (imstore.SentMessage, error) {
	if _, err := s.st.GetUser(req.From); err != nil {
		return imstore.SentMessage{}, err
	}
	to, err := s.address("to", req.To)
	if err != nil {
		return imstore.SentMessage{}, err
	}
	mid, err := imstore.NewID(s.self)
	if err != nil {
		return imstore.SentMessage{}, err
	}
	mi := wire.MessageInfo{SenderID: req.From + "@" + s.self, RecvID: to.String(), MessageType: strings.ToLower(req.MessageType),
		Version: wire.Version1, Type: wire.ChatSingle, MessageID: mid}
	if mi.Content, err = s.content(mi.MessageType, req); err != nil {
		return imstore.SentMessage{}, err
	}
	mi.FileID = req.FileID
	if err := mi.Validate(); err != nil {
		return imstore.SentMessage{}, invalid(err)
	}
	msg := storedMessage(mi)
	if s.isSelf(to) {
		// One transaction checks the recipient, records the sent copy and
		// delivers (an unknown recipient is its NotFoundError).
		return s.st.SendLocal(req.From, to.Local, msg)
	}
	send, err := s.outgoing(to, mi.SenderID, "/sns/chat", wire.ChatRequest{MessageInfo: mi})
	if err != nil {
		return imstore.SentMessage{}, err
	}
	send.MessageID, send.FileID = mid, mi.FileID
	sent, err := s.st.RecordSent(req.From, msg, send)
	if err == nil {
		s.out.wake(send.Destination)
	}
	return sent, err
}

// content builds the content of a message to send.
func (s *Server) content(messageType string, req SendRequest) (wire.Content, error) {
	if messageType == wire.MessageText {
		if req.Text == "" {
			return nil, invalid(fmt.Errorf("text: required for a text message"))
		}
		return &wire.TextContent{Message: req.Text}, nil
	}
	switch messageType {
	case wire.MessageImage, wire.MessageVoice, wire.MessageFile:
	default:
		return nil, invalid(fmt.Errorf("messageType %q: want text, image, voice or file (revoke a message with repeal)", req.MessageType))
	}
	if req.FileID == "" {
		return nil, invalid(fmt.Errorf("fileID: required for a %s message: upload the file first", messageType))
	}
	f, err := s.st.GetFile(req.FileID)
	if err != nil {
		return nil, err
	}
	if !f.Local {
		return nil, invalid(fmt.Errorf("fileID %s was received from %s: forward a file by uploading it again", req.FileID, f.Origin))
	}
	size := strconv.FormatInt(f.Size, 10)
	switch messageType {
	case wire.MessageImage:
		return &wire.ImageContent{Size: size, Name: f.Name, FileID: f.FileID, MD5: f.MD5}, nil
	case wire.MessageVoice:
		c := &wire.VoiceContent{Size: size, FileID: f.FileID, MD5: f.MD5}
		if req.Duration > 0 {
			c.Duration = strconv.Itoa(req.Duration)
		}
		return c, nil
	}
	return &wire.FileContent{Size: size, Name: f.Name, FileID: f.FileID, MD5: f.MD5}, nil
}

// Repeal revokes a message a local user sent: its local copies at once,
// and at the recipient's server by a repeal message queued behind it in
// the same conversation. Revoking it again changes nothing.
func (s *Server) Repeal(user, messageID string) (imstore.SentMessage, error) {
	sent, err := s.st.GetSent(messageID)
	if err != nil {
		return sent, err
	}
	if sent.Type == wire.ChatGroup {
		return s.repealGroup(user, sent) // groupchat.go
	}
	to, err := wire.ParseAddress(sent.To)
	if err != nil || s.isSelf(to) || sent.Revoked || sent.User != user {
		// Local recipient, already revoked, or not the user's: the store
		// decides (and refuses another user's message).
		sent, _, err = s.st.RepealSent(user, messageID)
		return sent, err
	}
	mi := wire.MessageInfo{SenderID: sent.From, RecvID: sent.To, MessageType: wire.MessageRepeal, Version: wire.Version1,
		Type: wire.ChatSingle, MessageID: messageID, Content: &wire.RepealContent{}}
	send, err := s.outgoing(to, sent.From, "/sns/chat", wire.ChatRequest{MessageInfo: mi})
	if err != nil {
		return sent, err
	}
	send.MessageID = messageID
	sent, _, err = s.st.RepealSent(user, messageID, send)
	if err == nil {
		s.out.wake(send.Destination)
	}
	return sent, err
}

// storedMessage is a messageInfo as the store keeps it.
func storedMessage(mi wire.MessageInfo) imstore.Message {
	content, _ := json.Marshal(mi.Content) // wire content types always encode
	return imstore.Message{MessageID: mi.MessageID, From: mi.SenderID, To: mi.RecvID, Type: mi.Type, MessageType: mi.MessageType, Content: content, FileID: mi.FileID}
}

// outgoing is the outbox entry of a call to to's server, in the
// conversation between from and to, so that everything between two users
// reaches the peer in the order it was done. A peer this server's own
// policy refuses is refused now, before anything is recorded.
func (s *Server) outgoing(to wire.Address, from, path string, body any) (imstore.Send, error) {
	if to.IsDirectory() && !s.policy.Allowed(to.ServerID) {
		return imstore.Send{}, refuse(http.StatusForbidden, string(httpsig.ReasonForbiddenByPolicy), "%s is not allowed by this server's white/black list: change the policy first", to.ServerID)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return imstore.Send{}, err
	}
	return imstore.Send{Destination: to.Domain(), Conversation: imstore.DirectConversation(from, to.String()), Path: path, Body: b}, nil
}

// address reads a user id given to the admin API: a full address, or the
// id of a local user.
func (s *Server) address(field, id string) (wire.Address, error) {
	if !strings.Contains(id, "@") {
		id += "@" + s.self
	}
	a, err := wire.ParseAddress(id)
	if err != nil {
		return a, invalid(fmt.Errorf("%s: %v", field, err))
	}
	return a, nil
}

// invalid marks a bad argument, as the store's ErrInvalid does.
func invalid(err error) error { return fmt.Errorf("%w: %w", imstore.ErrInvalid, err) }

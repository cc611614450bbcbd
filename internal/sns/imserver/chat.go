package imserver

import (
	"encoding/json"
	"net/http"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// handleChat is S1, POST /sns/chat: a message for a local user. The
// sender, the messageID and the fileID must all be of the calling server
// (a server speaks only for its users, and files are fetched from the
// sender's server). A messageID already delivered is answered with success
// and stored once, or refused with duplicate_conflict when its content
// differs. A repeal revokes the message it names, which must be held for
// the recipient and sent by the repeal's sender (chatrules.go).
func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	var req wire.ChatRequest
	if err := decodeBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.MessageInfo.Type == wire.ChatGroup {
		s.answer(w, r, s.groupChatIn(r, &req.MessageInfo)) // groupchat.go
		return
	}
	local, msg, err := s.incoming(r, &req.MessageInfo)
	if err == nil {
		if msg.MessageType == wire.MessageRepeal {
			err = s.repealChat(local, msg)
		} else {
			err = s.deliverChat(local, msg)
		}
	}
	s.answer(w, r, err)
}

// incoming checks a received one-to-one messageInfo and returns the local recipient
// and the message as the store keeps it.
func (s *Server) incoming(r *http.Request, m *wire.MessageInfo) (string, imstore.Message, error) {
	u, err := s.localUser("messageInfo.recvID", m.RecvID)
	if err != nil {
		return "", imstore.Message{}, err
	}
	local := u.UserID
	origin, _ := httpsig.OriginFrom(r.Context())
	msg := imstore.Message{To: local + "@" + s.self, Type: m.Type, MessageType: m.MessageType}
	for _, f := range []struct {
		field string
		in    string
		out   *string
	}{
		{"messageInfo.senderID", m.SenderID, &msg.From},
		{"messageInfo.messageID", m.MessageID, &msg.MessageID},
		{"messageInfo.fileID", m.FileID, &msg.FileID},
	} {
		if f.in == "" {
			continue // only fileID may be empty: Validate requires the others
		}
		if *f.out, err = s.fromCaller(r.Context(), f.field, f.in, origin); err != nil {
			return "", imstore.Message{}, err
		}
	}
	if msg.Content, err = json.Marshal(m.Content); err != nil {
		return "", imstore.Message{}, badRequest(err)
	}
	return local, msg, nil
}

package wire

import (
	"encoding/json"
	"strings"

	"github.com/imictl/imictl/internal/lenient"
)

// Message types (§6.2.2); the source says they are case-insensitive, so
// decoding lower-cases them.
const (
	MessageText   = "text"
	MessageVoice  = "voice"
	MessageImage  = "image"
	MessageFile   = "file"
	MessageRepeal = "repeal" // revokes the message named by messageID
)

// Chat types of messageInfo.type.
const (
	ChatSingle = 1
	ChatGroup  = 2
)

// Version1 is the only messageInfo.version the standard defines.
const Version1 = "v1"

// MessageInfo is the message body of §6.2.2, sent with S1, G7 and returned
// by G8. Decoding lower-cases MessageType, types Content by it, and copies
// fileID between messageInfo and content when only one of them carries it.
type MessageInfo struct {
	SenderID    string  `json:"senderID" lenient:"trim"`
	RecvID      string  `json:"recvID" lenient:"trim"`
	MessageType string  `json:"messageType"`
	Version     string  `json:"version"`
	Type        int     `json:"type"`
	MessageID   string  `json:"messageID" lenient:"trim"`
	FileID      string  `json:"fileID" lenient:"trim"`
	Content     Content `json:"content"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
// An empty or unknown messageType leaves Content nil; Validate reports it.
func (m *MessageInfo) UnmarshalJSON(b []byte) error {
	var w struct {
		MessageInfo
		Content json.RawMessage `json:"content"` // shadows MessageInfo.Content
	}
	if err := lenient.Decode(b, &w); err != nil {
		return err
	}
	out := w.MessageInfo
	out.MessageType = strings.ToLower(strings.TrimSpace(out.MessageType))
	c, err := decodeContent(out.MessageType, w.Content)
	if err != nil {
		return lenient.Within("content", err)
	}
	out.Content = c
	if p := fileIDOf(c); p != nil {
		switch {
		case out.FileID == "":
			out.FileID = *p
		case *p == "":
			*p = out.FileID
		}
	}
	*m = out
	return nil
}

// Validate checks what a receiver relies on: ids are well-formed addresses,
// the type and version are known, media carry a fileID, content matches.
func (m *MessageInfo) Validate() error {
	if err := requireAddress("senderID", m.SenderID); err != nil {
		return err
	}
	if err := requireAddress("recvID", m.RecvID); err != nil {
		return err
	}
	if err := requireAddress("messageID", m.MessageID); err != nil {
		return err
	}
	switch m.MessageType {
	case "":
		return lenient.Errorf("messageType", "required")
	case MessageText, MessageVoice, MessageImage, MessageFile, MessageRepeal:
	default:
		return lenient.Errorf("messageType", "unknown "+quote(m.MessageType)+": want text, voice, image, file or repeal")
	}
	if m.Version != Version1 {
		return lenient.Errorf("version", "want \"v1\", got "+quote(m.Version))
	}
	if m.Type != ChatSingle && m.Type != ChatGroup {
		return lenient.Errorf("type", "want 1 (one-to-one) or 2 (group), got "+itoa(m.Type))
	}
	if m.Content == nil {
		return lenient.Errorf("content", "required")
	}
	if got := m.Content.MessageType(); got != m.MessageType {
		return lenient.Errorf("content", "holds "+got+" content for messageType "+quote(m.MessageType))
	}
	if p := fileIDOf(m.Content); p != nil {
		if err := requireAddress("fileID", m.FileID); err != nil {
			return err
		}
		if *p != "" && *p != m.FileID {
			return lenient.Errorf("content.fileID", quote(*p)+" differs from messageInfo fileID "+quote(m.FileID)+": send one file id")
		}
	} else if m.FileID != "" {
		if err := checkAddress("fileID", m.FileID); err != nil {
			return err
		}
	}
	return lenient.Within("content", m.Content.validate())
}

// ChatRequest is the body of S1, POST /sns/chat.
type ChatRequest struct {
	MessageInfo MessageInfo `json:"messageInfo"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *ChatRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks the request; errors name fields like "messageInfo.recvID".
func (r *ChatRequest) Validate() error {
	return lenient.Within("messageInfo", r.MessageInfo.Validate())
}

package imstore

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// MaxContent bounds a message's content object.
const MaxContent = 64 << 10

// Message is what inbox and sent records share: one messageInfo.
type Message struct {
	MessageID   string          `json:"messageID"` // "xxxx@serverId", made by the sender's server
	From        string          `json:"from"`      // senderID as on the wire
	To          string          `json:"to"`        // recvID as on the wire
	Type        int             `json:"type"`      // 1 one-to-one, 2 group
	MessageType string          `json:"messageType"`
	Content     json.RawMessage `json:"content"`
	FileID      string          `json:"fileID,omitempty"`
}

func (m *Message) check() error {
	var err error
	if m.MessageID, _, err = canonicalAddress("messageID", m.MessageID); err != nil {
		return err
	}
	if m.From, err = canonicalPeer("from", m.From); err != nil {
		return err
	}
	if m.To, err = canonicalPeer("to", m.To); err != nil {
		return err
	}
	if m.Type != 1 && m.Type != 2 {
		return boltdb.Invalid("type", "%d: want 1 (one-to-one) or 2 (group)", m.Type)
	}
	m.MessageType = strings.ToLower(m.MessageType)
	if err := checkText("messageType", m.MessageType, 32, true); err != nil {
		return err
	}
	if len(m.Content) > MaxContent {
		return boltdb.Invalid("content", "%d bytes, at most %d", len(m.Content), MaxContent)
	}
	if len(m.Content) == 0 {
		m.Content = json.RawMessage("{}")
	}
	if !json.Valid(m.Content) {
		return boltdb.Invalid("content", "not valid JSON")
	}
	if m.FileID != "" {
		if m.FileID, _, err = canonicalAddress("fileID", m.FileID); err != nil {
			return err
		}
	}
	return nil
}

// Revocation is the repeal state a message record carries.
type Revocation struct {
	Revoked   bool      `json:"revoked,omitempty"`
	RevokedAt time.Time `json:"revokedAt,omitzero"`
}

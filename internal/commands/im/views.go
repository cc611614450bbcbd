package im

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// when shows a time in tables: RFC 3339 in UTC, "" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func verifyName(v int) string {
	switch v {
	case imstore.VerifyNobody:
		return "nobody (1)"
	case imstore.VerifyAnyone:
		return "anyone (2)"
	}
	return "unknown (" + strconv.Itoa(v) + ")"
}

// nonNil makes an empty list print as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// userDetails is one local user.
func userDetails(u imstore.User) []output.Field {
	return []output.Field{
		{Key: "User ID", Value: u.UserID}, {Key: "Name", Value: u.Name}, {Key: "Phone", Value: u.PhoneNumber},
		{Key: "Portrait", Value: u.Portrait}, {Key: "Remark", Value: u.Remark},
		{Key: "Friend requests", Value: verifyName(u.VerifyType)}, {Key: "Created", Value: when(u.CreatedAt)},
	}
}

// summary is one line saying what a message carries: its text, or the
// file it announces.
func summary(m imstore.Message) string {
	var s string
	switch m.MessageType {
	case wire.MessageText:
		var c wire.TextContent
		if json.Unmarshal(m.Content, &c) == nil {
			return c.Message
		}
	case wire.MessageImage, wire.MessageFile:
		var c wire.FileContent // image content has the same fields
		if json.Unmarshal(m.Content, &c) == nil {
			s = fmt.Sprintf("%s, %s bytes", c.Name, c.Size)
		}
	case wire.MessageVoice:
		var c wire.VoiceContent
		if json.Unmarshal(m.Content, &c) == nil {
			s = fmt.Sprintf("%s s, %s bytes", c.Duration, c.Size)
			if c.Duration == "" {
				s = c.Size + " bytes"
			}
		}
	}
	if s == "" {
		return string(m.Content)
	}
	return s + " (file " + m.FileID + ")"
}

// revoked marks a revoked message in tables.
func revoked(r imstore.Revocation) string {
	if r.Revoked {
		return "revoked"
	}
	return ""
}

// sentDetails is one message a local user sent.
func sentDetails(m imstore.SentMessage) []output.Field {
	return []output.Field{
		{Key: "Message ID", Value: m.MessageID}, {Key: "From", Value: m.From}, {Key: "To", Value: m.To},
		{Key: "Type", Value: m.MessageType}, {Key: "Content", Value: summary(m.Message)},
		{Key: "Sent", Value: when(m.SentAt)}, {Key: "Revoked", Value: when(m.RevokedAt)},
	}
}

// inboxView is a list of received messages.
func inboxView(msgs []imstore.InboxMessage) output.View {
	rows := make([][]string, 0, len(msgs))
	for _, m := range msgs {
		rows = append(rows, []string{strconv.FormatUint(m.Seq, 10), when(m.ReceivedAt), m.From, m.MessageType, summary(m.Message), revoked(m.Revocation)})
	}
	return output.View{Data: nonNil(msgs), Headers: []string{"Seq", "Received", "From", "Type", "Content", "State"}, Rows: rows}
}

// joinOr shows a list, or "-" when empty.
func joinOr(list []string, empty string) string {
	if len(list) == 0 {
		return empty
	}
	return strings.Join(list, ", ")
}

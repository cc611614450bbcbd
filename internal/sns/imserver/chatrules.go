package imserver

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/imictl/imictl/internal/sns/imstore"
)

// ReasonDuplicateConflict refuses an S1 message whose messageID is already
// stored for that user with other content: the first version is kept
// (docs/PROTOCOL.md 6.1), and the sender learns that its second one was not.
const ReasonDuplicateConflict = "duplicate_conflict" // 409

// deliverChat stores an S1 message for a local user once. A repeated
// messageID is answered with success when it carries the same message (a
// retry) and refused with duplicate_conflict when it does not: the first
// version stays, and the conflict is logged and counted.
func (s *Server) deliverChat(local string, msg imstore.Message) error {
	held, dup, err := s.st.DeliverLocal(local, msg)
	if err != nil || !dup || sameMessage(held.Message, msg) {
		return err
	}
	s.duplicateConflicts.Add(1)
	s.log.Warn("a peer sent a messageID already stored with other content; the first version is kept",
		"messageID", msg.MessageID, "user", local, "from", msg.From)
	return refuse(http.StatusConflict, ReasonDuplicateConflict,
		"message %s is already stored for %s with other content: the first version is kept; send a new message with a new messageID", msg.MessageID, msg.To)
}

// sameMessage compares what a sender controls in a stored message and a
// received one, both with canonical ids.
func sameMessage(a, b imstore.Message) bool {
	return a.From == b.From && a.To == b.To && a.Type == b.Type && a.MessageType == b.MessageType &&
		a.FileID == b.FileID && bytes.Equal(a.Content, b.Content)
}

// repealChat revokes a one-to-one message for a local user. The repeal
// follows its message in the same conversation (6.3), so the message must
// be held for that user (else not_found) and have been sent by the
// repeal's sender (else wrong_sender): a repeal that changes nothing is
// never answered with success. Repeating a repeal succeeds.
func (s *Server) repealChat(local string, msg imstore.Message) error {
	held, err := s.st.InboxMessageByID(local, msg.MessageID)
	if errors.Is(err, imstore.ErrNotFound) {
		return refuse(http.StatusNotFound, ReasonNotFound, "no message %s to %s is held here: a repeal revokes a message its sender delivered to that recipient", msg.MessageID, msg.To)
	}
	if err != nil {
		return err
	}
	if held.From != msg.From {
		return refuse(http.StatusForbidden, ReasonWrongSender, "message %s was sent by %s, not %s: only its sender may repeal it", msg.MessageID, held.From, msg.From)
	}
	by, _ := imstore.OriginOf(msg.MessageID)
	_, err = s.st.Repeal(msg.MessageID, by)
	return err
}

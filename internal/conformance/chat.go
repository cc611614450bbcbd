package conformance

import (
	"fmt"
	"net/http"
	"strings"
)

// S1 (POST /sns/chat): messages to the test user, the retry and repeal
// rules of docs/PROTOCOL.md 6.1, the spellings a server must accept
// (interfaces.md §4 Profile), and the ids a caller may not speak for.
var chatCases = []Case{
	{ID: "S1.unknown-user", Area: "S1", Title: "a message to a user the target does not have is refused: 404 unknown_user",
		Run: func(t *T) error {
			a, err := t.post("/sns/chat", t.textMessage(t.nobody(), "to nobody"))
			return t.refusedOrErr(a, err, http.StatusNotFound, "unknown_user")
		}},
	{ID: "S1.text", Area: "S1", Title: "a text message to the test user is accepted: 200, code 0", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			return t.accepted(t.post("/sns/chat", t.textMessage(t.User(), "hello from the conformance suite")))
		}},
	{ID: "S1.retry", Area: "S1", Title: "the same message sent again (same messageID, new signature) is accepted again", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			body := t.textMessage(t.User(), "sent twice")
			if err := t.accepted(t.post("/sns/chat", body)); err != nil {
				return Skipf("the first send was not accepted: %v", err)
			}
			return t.accepted(t.post("/sns/chat", body))
		}},
	{ID: "S1.repeal", Area: "S1", Title: "a repeal of a message the suite sent is accepted", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			body, id := t.textMessageID(t.User(), "to be repealed")
			if err := t.accepted(t.post("/sns/chat", body)); err != nil {
				return Skipf("the message to repeal was not accepted: %v", err)
			}
			return t.accepted(t.post("/sns/chat", t.message(t.User(), "repeal", id, `{}`)))
		}},
	{ID: "S1.wrong-sender", Area: "S1", Title: "a message whose senderID is of another server is refused: 403 wrong_sender", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			body := strings.Replace(t.textMessage(t.User(), "forged sender"), jsonString(t.sender()), jsonString("someone@conformance-other"), 1)
			a, err := t.post("/sns/chat", body)
			return t.refusedOrErr(a, err, http.StatusForbidden, "wrong_sender")
		}},
	{ID: "S1.lenient-messagetype", Area: "S1", Title: `"messagetype" for "messageType", in capitals ("TEXT"), is accepted (§6.2.3 spelling)`, Needs: []Need{NeedUser},
		Run: func(t *T) error {
			body := strings.Replace(t.textMessage(t.User(), "messagetype TEXT"), `"messageType":"text"`, `"messagetype":"TEXT"`, 1)
			return t.accepted(t.post("/sns/chat", body))
		}},
	{ID: "S1.lenient-key-spaces", Area: "S1", Title: `keys with stray spaces ("fileID ", " version") are accepted (§6.2.5 spelling)`, Needs: []Need{NeedUser},
		Run: func(t *T) error {
			body := t.textMessage(t.User(), "stray spaces")
			body = strings.Replace(body, `"fileID":`, `"fileID ":`, 1)
			body = strings.Replace(body, `"version":`, `" version":`, 1)
			return t.accepted(t.post("/sns/chat", body))
		}},
	{ID: "S1.lenient-type-string", Area: "S1", Title: `"type" sent as the string "1" is accepted`, Needs: []Need{NeedUser},
		Run: func(t *T) error {
			body := strings.Replace(t.textMessage(t.User(), "type as a string"), `"type":1`, `"type":"1"`, 1)
			return t.accepted(t.post("/sns/chat", body))
		}},
	{ID: "S1.duplicate-field", Area: "S1", Title: "a field sent twice (messageType and messagetype) is refused: 400 bad_request (docs/PROTOCOL.md 4)", Needs: []Need{NeedUser},
		Run: func(t *T) error {
			body := strings.Replace(t.textMessage(t.User(), "sent twice"), `"messageType":"text"`, `"messageType":"text","messagetype":"image"`, 1)
			a, err := t.post("/sns/chat", body)
			return t.refusedOrErr(a, err, http.StatusBadRequest, "bad_request")
		}},
}

// sender is the suite's user, the senderID and ownerID of what it sends.
func (t *T) sender() string { return "conformance@" + t.Self() }

// nobody is a user of the target that does not exist.
func (t *T) nobody() string { return t.Unique("conformance-nobody") + "@" + t.Target().ServerID }

// textMessage is an S1 body with a text message from the suite to recv.
func (t *T) textMessage(recv, text string) string {
	body, _ := t.textMessageID(recv, text)
	return body
}

// textMessageID is textMessage and the messageID it made.
func (t *T) textMessageID(recv, text string) (body, messageID string) {
	id := t.Unique("conformance-msg") + "@" + t.Self()
	return t.message(recv, "text", id, `{"message":`+jsonString("imictl conformance: "+text)+`}`), id
}

// message is an S1 body in the source's own spelling (interfaces.md §4).
func (t *T) message(recv, messageType, messageID, content string) string {
	return fmt.Sprintf(`{"messageInfo":{"senderID":%s,"recvID":%s,"messageType":%q,"version":"v1","type":1,"messageID":%s,"fileID":"","content":%s}}`,
		jsonString(t.sender()), jsonString(recv), messageType, jsonString(messageID), content)
}

// accepted checks a success answer that carries nothing but the envelope.
func (t *T) accepted(a *answer, err error) error {
	if err != nil {
		return err
	}
	_, err = t.ok(a)
	return err
}

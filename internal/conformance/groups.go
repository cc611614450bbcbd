package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// The group interfaces (§6.4.2). Those a main group's server sends (G1 to
// invitees, G7, G10) are refused from the suite, which is no group's main
// server. Those a member's server calls on the main server are refused
// while the suite's user is no member (G8, G9, G11, G12), then answered
// once it has joined the test group by applying (G2 without an
// invitation, which a group with isVisible 1 accepts), until it leaves
// with G4. The cases run in this order: each after G2.apply needs the
// membership it made.
var groupCases = []Case{
	{ID: "G11.unknown-group", Area: "G11", Title: "a group the target does not have: 404 unknown_group",
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/grpinfo", "groupID", t.noGroup(), "userID", t.sender()), http.StatusNotFound, "unknown_group")
		}},
	{ID: "G12.not-local", Area: "G12", Title: "a group of another server: 400 not_local",
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/grpmembers", "groupID", "g1@conformance-other", "userID", t.sender()), http.StatusBadRequest, "not_local")
		}},
	{ID: "G8.unknown-group", Area: "G8", Title: "the messages of a group the target does not have: 404 unknown_group",
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/grpchat", "groupID", t.noGroup()), http.StatusNotFound, "unknown_group")
		}},
	{ID: "G1.not-main-server", Area: "G1", Title: "an invitation into a group of another server than the caller: 403 not_main_server",
		Run: func(t *T) error {
			body := fmt.Sprintf(`{"userID":"someone@conformance-other","reqInfo":{"groupInfo":{"groupID":"g1@conformance-other","groupName":"Not yours"},"inviteUsers":[%s]}}`, jsonString(t.nobody()))
			a, err := t.post("/sns/invite/grpreq", body)
			return t.refusedOrErr(a, err, http.StatusForbidden, "not_main_server")
		}},
	{ID: "G7.not-main-server", Area: "G7", Title: "a group message of a group of another server than the caller: 403 not_main_server",
		Run: func(t *T) error {
			gid := "g1@conformance-other"
			body := fmt.Sprintf(`{"userIDs":[%s],"messageInfo":{"senderID":"someone@conformance-other","recvID":%q,"messageType":"text","version":"v1","type":2,"messageID":%s,"fileID":"","content":{"message":"not yours"}}}`,
				jsonString(t.nobody()), gid, jsonString(t.Unique("conformance-msg")+"@conformance-other"))
			a, err := t.post(query("/sns/notify/grpchat", "groupID", gid), body)
			return t.refusedOrErr(a, err, http.StatusForbidden, "not_main_server")
		}},
	{ID: "G10.not-main-server", Area: "G10", Title: "a change notice of a group of another server than the caller: 403 not_main_server",
		Run: func(t *T) error {
			body := `{"operType":7,"operUser":{"userID":"someone@conformance-other"},"grpset":{"isAllow":1,"isVisible":1},"users":[]}`
			a, err := t.post(query("/sns/notify/grpnotify", "groupID", "g1@conformance-other"), body)
			return t.refusedOrErr(a, err, http.StatusForbidden, "not_main_server")
		}},
	{ID: "G9.not-member", Area: "G9", Title: `a settings change by a user who is not a member, sent as "grpset" (the G10 spelling): 403 not_member`, Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			body := fmt.Sprintf(`{"ownerID":%s,"grpset":{"isAllow":1,"isVisible":1}}`, jsonString(t.sender()))
			a, err := t.post(query("/sns/update/grpinfo", "groupID", t.Group()), body)
			return t.refusedOrErr(a, err, http.StatusForbidden, "not_member")
		}},
	{ID: "G8.not-member", Area: "G8", Title: "the test group's messages, to a server with no member in it: 403 not_member", Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/grpchat", "groupID", t.Group()), http.StatusForbidden, "not_member")
		}},
	{ID: "G11.not-member", Area: "G11", Title: "the test group's settings, for a user who is not a member: 403 not_member", Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/grpinfo", "groupID", t.Group(), "userID", t.sender()), http.StatusForbidden, "not_member")
		}},
	{ID: "G12.not-member", Area: "G12", Title: "the test group's members, for a user who is not a member: 403 not_member", Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/grpmembers", "groupID", t.Group(), "userID", t.sender()), http.StatusForbidden, "not_member")
		}},
	{ID: "G12.wrong-sender", Area: "G12", Title: "a userID of another server than the caller: 403 wrong_sender", Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			return t.refusedGet(query("/sns/grpmembers", "groupID", t.Group(), "userID", "someone@conformance-other"), http.StatusForbidden, "wrong_sender")
		}},
	{ID: "G2.apply", Area: "G2", Title: "the suite's user applies to join the test group (respResult 1, no invitation): accepted", Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			a, err := t.post(query("/sns/invite/grprep", "groupID", t.Group()), t.groupAnswer(`1`))
			if err != nil {
				return err
			}
			if t.refused(a, http.StatusForbidden, "not_invited") == nil {
				return Skipf("the test group takes no applications (isVisible 2): give --group a group with isVisible 1")
			}
			if _, err := t.ok(a); err != nil {
				return err
			}
			t.s.joined = true
			return nil
		}},
	{ID: "G11.member", Area: "G11", Title: "the test group's settings for a member: gset with isAllow and isVisible 1 or 2, groupInfo with its groupID", Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			f, err := t.memberRead("/sns/grpinfo")
			if err != nil {
				return err
			}
			gset, err := f.object("gset")
			if err != nil {
				return err
			}
			for _, name := range []string{"isAllow", "isVisible"} {
				if _, err := gset.oneOrTwo(name); err != nil {
					return fmt.Errorf("gset: %w", err)
				}
			}
			return t.checkGroupInfo(f)
		}},
	{ID: "G12.member", Area: "G12", Title: "the test group's members for a member: an array of {userType 1-3, userInfo}, the suite's user among them as a member (1)", Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			f, err := t.memberRead("/sns/grpmembers")
			if err != nil {
				return err
			}
			members, err := f.array("members")
			if err != nil {
				return err
			}
			found := false
			for i, raw := range members {
				m, err := parseObject(raw)
				if err != nil {
					return fmt.Errorf("members[%d] is %s, want an object", i, raw)
				}
				var userType int
				if err := json.Unmarshal(m["userType"], &userType); err != nil || userType < 1 || userType > 3 {
					return fmt.Errorf("members[%d].userType is %s, want the JSON number 1, 2 or 3", i, m["userType"])
				}
				u, err := m.object("userInfo")
				if err != nil {
					return fmt.Errorf("members[%d]: %w", i, err)
				}
				if id, err := u.str("userID"); err != nil {
					return fmt.Errorf("members[%d].userInfo: %w", i, err)
				} else if sameID(id, t.sender()) {
					found = userType == 1
				}
			}
			if !found {
				return fmt.Errorf("%s, who joined, is not listed with userType 1 among the %d members", t.sender(), len(members))
			}
			return nil
		}},
	{ID: "G8.member", Area: "G8", Title: "the test group's messages for a member's server: newestMessageID a string, messages an array of group messages (type 2)", Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			if !t.s.joined {
				return Skipf("the suite's user could not join the test group (see G2.apply)")
			}
			f, err := t.okGet(query("/sns/grpchat", "groupID", t.Group()))
			if err != nil {
				return err
			}
			if _, err := f.str("newestMessageID"); err != nil {
				return err
			}
			msgs, err := f.array("messages")
			if err != nil {
				return err
			}
			for i, raw := range msgs {
				m, err := parseObject(raw)
				if err != nil {
					return fmt.Errorf("messages[%d] is %s, want a messageInfo object", i, raw)
				}
				if string(m["type"]) != "2" {
					return fmt.Errorf("messages[%d].type is %s, want the JSON number 2 (a group message)", i, m["type"])
				}
				for _, name := range []string{"senderID", "recvID", "messageID", "messageType"} {
					if _, err := m.str(name); err != nil {
						return fmt.Errorf("messages[%d]: %w", i, err)
					}
				}
			}
			return nil
		}},
	{ID: "G2.lenient-result-string", Area: "G2", Title: `respResult sent as the string "1" by a member is read: accepted (already joined)`, Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			if !t.s.joined {
				return Skipf("the suite's user could not join the test group (see G2.apply)")
			}
			return t.accepted(t.post(query("/sns/invite/grprep", "groupID", t.Group()), t.groupAnswer(`"1"`)))
		}},
	{ID: "G3.not-owner", Area: "G3", Title: `a member who is not the owner removing members, sent as "deleteMembers" (for the source's "delateMembers"): 403 not_owner`, Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			if !t.s.joined {
				return Skipf("the suite's user could not join the test group (see G2.apply)")
			}
			body := fmt.Sprintf(`{"ownerID":%s,"deleteMembers":[%s]}`, jsonString(t.sender()), jsonString(t.sender()))
			a, err := t.post(query("/sns/remove/grpmembers", "groupID", t.Group()), body)
			return t.refusedOrErr(a, err, http.StatusForbidden, "not_owner")
		}},
	{ID: "G4.quit", Area: "G4", Title: `the suite's user leaves the test group (the key sent as " ownerID", with a stray space): accepted, and G11 then refuses it`, Needs: []Need{NeedGroup},
		Run: func(t *T) error {
			if !t.s.joined {
				return Skipf("the suite's user could not join the test group (see G2.apply)")
			}
			path := query("/sns/quit/grpmember", "groupID", t.Group())
			if err := t.accepted(t.post(path, fmt.Sprintf(`{" ownerID":%s}`, jsonString(t.sender())))); err != nil {
				// Leave anyway, in the source's spelling, so that the
				// suite leaves no member behind.
				if t.accepted(t.post(path, fmt.Sprintf(`{"ownerID":%s}`, jsonString(t.sender())))) == nil {
					t.s.joined = false
				}
				return err
			}
			t.s.joined = false
			return t.refusedGet(query("/sns/grpinfo", "groupID", t.Group(), "userID", t.sender()), http.StatusForbidden, "not_member")
		}},
}

// Group is the target's test group, "" when not given.
func (t *T) Group() string { return t.s.cfg.Group }

// noGroup is a group of the target that does not exist.
func (t *T) noGroup() string { return t.Unique("conformance-nogroup") + "@" + t.Target().ServerID }

// groupAnswer is a G2 body from the suite's user, respResult as raw JSON.
func (t *T) groupAnswer(respResult string) string {
	return fmt.Sprintf(`{"ownerID":%s,"respResult":%s}`, jsonString(t.sender()), respResult)
}

// memberRead is a G11 or G12 read of the test group as the suite's user,
// once it has joined.
func (t *T) memberRead(path string) (fields, error) {
	if !t.s.joined {
		return nil, Skipf("the suite's user could not join the test group (see G2.apply)")
	}
	return t.okGet(query(path, "groupID", t.Group(), "userID", t.sender()))
}

// checkGroupInfo checks G11's groupInfo: the test group's id, a name, and
// numbers where the standard has them.
func (t *T) checkGroupInfo(f fields) error {
	g, err := f.object("groupInfo")
	if err != nil {
		return err
	}
	id, err := g.str("groupID")
	if err != nil {
		return fmt.Errorf("groupInfo: %w", err)
	}
	if !sameID(id, t.Group()) {
		return fmt.Errorf("groupInfo.groupID is %q, want %q", id, t.Group())
	}
	for _, name := range []string{"groupName", "groupIcon", "createUser"} {
		if _, _, err := g.optStr(name); err != nil {
			return fmt.Errorf("groupInfo: %w", err)
		}
	}
	for _, name := range []string{"groupMemberNum", "createTime"} {
		if raw, ok := g[name]; ok {
			var n int64
			if json.Unmarshal(raw, &n) != nil {
				return fmt.Errorf("groupInfo.%s is %s, want a JSON number", name, raw)
			}
		}
	}
	return nil
}

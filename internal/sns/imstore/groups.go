package imstore

import (
	"bytes"
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// Member roles in a group: the userType values of G12.
const (
	RoleMember = 1
	RoleAdmin  = 2
	RoleOwner  = 3
)

// GroupConversation is the outbox conversation of a group's traffic to one
// server: its notices (G10) and messages (G7) reach it in the order they
// happened, so a member is added before the messages meant for it.
func GroupConversation(groupID string) string { return "g:" + groupID }

// Group is a group whose main server is this one (§6.4.2.1): the only
// place its data lives.
type Group struct {
	GroupID     string    `json:"groupID"` // "xxxx@<this serverId>"
	Name        string    `json:"name"`
	Icon        string    `json:"icon,omitempty"`
	Owner       string    `json:"owner"`     // a member of this server, full id
	CreatedBy   string    `json:"createdBy"` // full id
	CreatedAt   time.Time `json:"createdAt"`
	IsAllow     int       `json:"isAllow"`   // 1 members may invite, 2 only the owner and admins
	IsVisible   int       `json:"isVisible"` // 1 anyone may apply to join, 2 invitation only
	Members     int       `json:"members"`
	Dissolved   bool      `json:"dissolved,omitempty"`
	DissolvedAt time.Time `json:"dissolvedAt,omitzero"`
}

// GroupMember is one member of a group of this server.
type GroupMember struct {
	GroupID  string    `json:"groupID"`
	UserID   string    `json:"userID"` // full id, on any server
	Role     int       `json:"role"`   // RoleMember, RoleAdmin or RoleOwner
	Profile  Profile   `json:"profile"`
	JoinedAt time.Time `json:"joinedAt"`
}

// GroupInvitation is an invitation not answered yet: on the main group's
// server for any invitee, elsewhere for the local invitees.
type GroupInvitation struct {
	GroupID   string    `json:"groupID"`
	GroupName string    `json:"groupName"`
	Invitee   string    `json:"invitee"` // full id
	Inviter   string    `json:"inviter"` // full id
	Main      string    `json:"main"`    // the main group's server
	InvitedAt time.Time `json:"invitedAt"`
}

// GroupRoute says that a local user belongs to a group of another server:
// all a non-main server keeps (§6.4.2.1). GroupName is the invitation's,
// for display.
type GroupRoute struct {
	GroupID   string    `json:"groupID"`
	User      string    `json:"user"` // local user id
	Main      string    `json:"main"`
	GroupName string    `json:"groupName,omitempty"`
	JoinedAt  time.Time `json:"joinedAt"`
}

// GroupMessage is a message of a group of this server, as G8 serves it.
type GroupMessage struct {
	Seq     uint64 `json:"seq"`
	GroupID string `json:"groupID"`
	Message
	At time.Time `json:"at"`
	Revocation
}

func checkGroupID(id string) (string, error) {
	c, _, err := canonicalAddress("groupID", id)
	return c, err
}

func (t *txn) group(id string) (Group, error) {
	g, ok, err := boltdb.Get[Group](t.b(bucketGroups), []byte(id))
	if err != nil {
		return g, fmt.Errorf("group %s: %w", id, err)
	}
	if !ok {
		return g, &NotFoundError{Kind: "group", Key: id}
	}
	return g, nil
}

// CreateGroup stores a new group of this server with its owner as first
// member. The record's CreatedAt and Members are set here.
func (s *Store) CreateGroup(g Group, owner GroupMember) (Group, error) {
	var err error
	if g.GroupID, err = checkGroupID(g.GroupID); err != nil {
		return Group{}, err
	}
	if err := checkText("name", g.Name, maxNameLen, true); err != nil {
		return Group{}, err
	}
	if err := checkText("icon", g.Icon, maxPortraitLen, false); err != nil {
		return Group{}, err
	}
	if owner.UserID, _, err = canonicalAddress("owner", owner.UserID); err != nil {
		return Group{}, err
	}
	g.Owner, g.CreatedBy, g.Members = owner.UserID, owner.UserID, 1
	owner.GroupID, owner.Role = g.GroupID, RoleOwner
	err = s.update(func(t *txn) error {
		b := t.b(bucketGroups)
		if b.Get([]byte(g.GroupID)) != nil {
			return &ExistsError{Kind: "group", Key: g.GroupID}
		}
		g.CreatedAt, owner.JoinedAt = t.now, t.now
		if err := boltdb.Put(b, []byte(g.GroupID), g); err != nil {
			return err
		}
		return t.putMember(owner)
	})
	return g, err
}

func (t *txn) putMember(m GroupMember) error {
	if err := boltdb.Put(t.b(bucketGroupMembers), key(m.GroupID, m.UserID), m); err != nil {
		return err
	}
	return t.b(bucketGroupMemberOf).Put(key(m.UserID, m.GroupID), nil)
}

// GetGroup returns a group of this server.
func (s *Store) GetGroup(groupID string) (Group, error) {
	var g Group
	err := s.view(func(t *txn) error {
		var err error
		g, err = t.group(groupID)
		return err
	})
	return g, err
}

// GroupMembers returns a group's members ordered by id.
func (s *Store) GroupMembers(groupID string) ([]GroupMember, error) {
	var out []GroupMember
	err := s.view(func(t *txn) error {
		if _, err := t.group(groupID); err != nil {
			return err
		}
		return forPrefix(t.b(bucketGroupMembers), prefix(groupID), func(k, v []byte) (bool, error) {
			m, err := boltdb.Decode[GroupMember](v)
			if err != nil {
				return false, fmt.Errorf("member %s: %w", k, err)
			}
			out = append(out, m)
			return true, nil
		})
	})
	return out, err
}

// MemberGroup is a group of this server with one member's role in it.
type MemberGroup struct {
	Group
	Role int // RoleMember, RoleAdmin or RoleOwner
}

// GroupsOf lists the groups of this server member belongs to (dissolved
// ones included), each with member's role, as one consistent view.
func (s *Store) GroupsOf(member string) ([]MemberGroup, error) {
	var out []MemberGroup
	err := s.view(func(t *txn) error {
		p := prefix(member)
		members := t.b(bucketGroupMembers)
		return forPrefix(t.b(bucketGroupMemberOf), p, func(k, _ []byte) (bool, error) {
			id := string(k[len(p):])
			g, err := t.group(id)
			if err != nil {
				return false, err
			}
			m, ok, err := boltdb.Get[GroupMember](members, key(id, member))
			if err != nil || !ok {
				return false, fmt.Errorf("group %s lists %s as a member without a member record (%v); restore a backup", id, member, err)
			}
			out = append(out, MemberGroup{Group: g, Role: m.Role})
			return true, nil
		})
	})
	return out, err
}

// PutInvitations records invitations (replacing older ones of the same
// invitee into the same group) and queues sends in the same transaction.
func (s *Store) PutInvitations(invs []GroupInvitation, sends ...Send) error {
	for i := range invs {
		var err error
		if invs[i].GroupID, err = checkGroupID(invs[i].GroupID); err != nil {
			return err
		}
		if invs[i].Invitee, _, err = canonicalAddress("invitee", invs[i].Invitee); err != nil {
			return err
		}
		if err := checkText("groupName", invs[i].GroupName, maxNameLen, false); err != nil {
			return err
		}
	}
	if err := checkSends(sends); err != nil {
		return err
	}
	return s.update(func(t *txn) error {
		for _, inv := range invs {
			inv.InvitedAt = t.now
			if err := boltdb.Put(t.b(bucketGroupInvitations), key(inv.Invitee, inv.GroupID), inv); err != nil {
				return err
			}
		}
		return t.enqueueAll(sends)
	})
}

// Invitation returns invitee's pending invitation into groupID.
func (s *Store) Invitation(groupID, invitee string) (GroupInvitation, bool, error) {
	var inv GroupInvitation
	var ok bool
	err := s.view(func(t *txn) error {
		var err error
		inv, ok, err = boltdb.Get[GroupInvitation](t.b(bucketGroupInvitations), key(invitee, groupID))
		return err
	})
	return inv, ok, err
}

// Invitations returns invitee's pending invitations.
func (s *Store) Invitations(invitee string) ([]GroupInvitation, error) {
	var out []GroupInvitation
	err := s.view(func(t *txn) error {
		return forPrefix(t.b(bucketGroupInvitations), prefix(invitee), func(k, v []byte) (bool, error) {
			inv, err := boltdb.Decode[GroupInvitation](v)
			if err != nil {
				return false, fmt.Errorf("invitation %s: %w", k, err)
			}
			out = append(out, inv)
			return true, nil
		})
	})
	return out, err
}

// DeleteInvitation forgets invitee's invitation into groupID (refused, or
// answered by the main server); it reports whether there was one.
func (s *Store) DeleteInvitation(groupID, invitee string) (bool, error) {
	existed := false
	err := s.update(func(t *txn) error {
		b := t.b(bucketGroupInvitations)
		k := key(invitee, groupID)
		existed = b.Get(k) != nil
		return b.Delete(k)
	})
	return existed, err
}

// GroupChange is one change to a group of this server, made in one
// transaction with the notices it queues.
type GroupChange struct {
	GroupID string
	// Add are new members (their invitations are deleted); members already
	// there are left as they are.
	Add []GroupMember
	// Remove are members to remove (absent ones are ignored).
	Remove []string
	// Roles sets members' roles.
	Roles map[string]int
	// Update, when not nil, changes the record (name, icon, settings,
	// owner, dissolution); an error refuses the whole change.
	Update func(*Group) error
	// Uninvite deletes these invitees' invitations (a refusal).
	Uninvite []string
}

// ChangeGroup applies c and queues sends, all or nothing, and returns the
// group as changed. A dissolved group refuses every change (*StateError).
func (s *Store) ChangeGroup(c GroupChange, sends ...Send) (Group, error) {
	if err := checkSends(sends); err != nil {
		return Group{}, err
	}
	for i := range c.Add {
		var err error
		if c.Add[i].UserID, _, err = canonicalAddress("member", c.Add[i].UserID); err != nil {
			return Group{}, err
		}
		if err := c.Add[i].Profile.check("profile"); err != nil {
			return Group{}, err
		}
	}
	var g Group
	err := s.update(func(t *txn) error {
		var err error
		if g, err = t.group(c.GroupID); err != nil {
			return err
		}
		if g.Dissolved {
			return &StateError{Kind: "group", Key: g.GroupID, State: "dissolved", Want: "active"}
		}
		members, invites := t.b(bucketGroupMembers), t.b(bucketGroupInvitations)
		for _, m := range c.Add {
			if err := invites.Delete(key(m.UserID, g.GroupID)); err != nil {
				return err
			}
			if members.Get(key(g.GroupID, m.UserID)) != nil {
				continue
			}
			m.GroupID, m.JoinedAt = g.GroupID, t.now
			if m.Role == 0 {
				m.Role = RoleMember
			}
			if err := t.putMember(m); err != nil {
				return err
			}
			g.Members++
		}
		for _, id := range c.Remove {
			if members.Get(key(g.GroupID, id)) == nil {
				continue
			}
			if err := members.Delete(key(g.GroupID, id)); err != nil {
				return err
			}
			if err := t.b(bucketGroupMemberOf).Delete(key(id, g.GroupID)); err != nil {
				return err
			}
			g.Members--
		}
		for id, role := range c.Roles {
			m, ok, err := boltdb.Get[GroupMember](members, key(g.GroupID, id))
			if err != nil {
				return err
			}
			if !ok {
				return &NotFoundError{Kind: "member of " + g.GroupID, Key: id}
			}
			m.Role = role
			if err := boltdb.Put(members, key(g.GroupID, id), m); err != nil {
				return err
			}
		}
		for _, id := range c.Uninvite {
			if err := invites.Delete(key(id, g.GroupID)); err != nil {
				return err
			}
		}
		if c.Update != nil {
			if err := c.Update(&g); err != nil {
				return err
			}
			if err := checkText("name", g.Name, maxNameLen, true); err != nil {
				return err
			}
			if err := checkText("icon", g.Icon, maxPortraitLen, false); err != nil {
				return err
			}
			if g.Dissolved {
				g.DissolvedAt = t.now
			}
		}
		if err := boltdb.Put(t.b(bucketGroups), []byte(g.GroupID), g); err != nil {
			return err
		}
		return t.enqueueAll(sends)
	})
	return g, err
}

// NewGroupMessage is a message to a group of this server, with what
// accepting it means here.
type NewGroupMessage struct {
	GroupID string
	Message Message
	// Sender, when the sender is a local user, records the message as sent.
	Sender string
	// Local are the local members who get it in their inbox.
	Local []string
}

// RecordGroupMessage stores a group message for G8, delivers it to the
// local members and queues sends (G7 to the other servers with members),
// in one transaction, exactly once per messageID: a message already
// stored returns its record and dup=true and changes nothing.
func (s *Store) RecordGroupMessage(m NewGroupMessage, sends ...Send) (GroupMessage, bool, error) {
	if err := m.Message.check(); err != nil {
		return GroupMessage{}, false, err
	}
	if err := checkSends(sends); err != nil {
		return GroupMessage{}, false, err
	}
	var out GroupMessage
	var dup bool
	err := s.batch(func(t *txn) error {
		out, dup = GroupMessage{}, false // this may be a second run
		if ref := t.b(bucketGroupMessageIDs).Get([]byte(m.Message.MessageID)); ref != nil {
			existing, _, err := boltdb.Get[GroupMessage](t.b(bucketGroupMessages), ref)
			out, dup = existing, true
			return err
		}
		g, err := t.group(m.GroupID)
		if err != nil {
			return err
		}
		if g.Dissolved {
			return &StateError{Kind: "group", Key: g.GroupID, State: "dissolved", Want: "active"}
		}
		if m.Sender != "" {
			if _, err := t.recordSent(m.Sender, m.Message); err != nil {
				return err
			}
		}
		for _, u := range m.Local {
			if _, _, err := t.deliverLocal(u, m.Message); err != nil {
				return err
			}
		}
		msgs := t.b(bucketGroupMessages)
		seq, err := msgs.NextSequence()
		if err != nil {
			return err
		}
		out = GroupMessage{Seq: seq, GroupID: g.GroupID, Message: m.Message, At: t.now}
		k := seqKey(seq, g.GroupID)
		if err := boltdb.Put(msgs, k, out); err != nil {
			return err
		}
		if err := t.b(bucketGroupMessageIDs).Put([]byte(m.Message.MessageID), k); err != nil {
			return err
		}
		return t.enqueueAll(sends)
	})
	return out, dup, err
}

// RepealGroupMessage revokes a message of a group of this server: in its
// history, in the local inboxes (as Repeal by the message's origin), and,
// when sender is a local user, in the sent record; sends (the repeal to the
// other servers) are queued with it. Revoking it again changes nothing and
// queues nothing.
func (s *Store) RepealGroupMessage(groupID, messageID, sender string, sends ...Send) (GroupMessage, error) {
	if err := checkSends(sends); err != nil {
		return GroupMessage{}, err
	}
	origin, err := OriginOf(messageID)
	if err != nil {
		return GroupMessage{}, err
	}
	var out GroupMessage
	err = s.update(func(t *txn) error {
		ref := t.b(bucketGroupMessageIDs).Get([]byte(messageID))
		if ref == nil || !bytes.HasPrefix(ref, prefix(groupID)) {
			return &NotFoundError{Kind: "message of group " + groupID, Key: messageID}
		}
		k := bytes.Clone(ref)
		m, _, err := boltdb.Get[GroupMessage](t.b(bucketGroupMessages), k)
		if err != nil {
			return err
		}
		out = m
		if m.Revoked {
			return nil
		}
		out.Revoked, out.RevokedAt = true, t.now
		if err := boltdb.Put(t.b(bucketGroupMessages), k, out); err != nil {
			return err
		}
		if sender != "" {
			sm, err := t.sent(messageID)
			if err != nil {
				return err
			}
			sm.Revoked, sm.RevokedAt = true, t.now
			if err := boltdb.Put(t.b(bucketSent), []byte(messageID), sm); err != nil {
				return err
			}
		}
		if _, err := t.repeal(messageID, origin); err != nil {
			return err
		}
		return t.enqueueAll(sends)
	})
	return out, err
}

// GroupMessages returns up to limit messages of a group of this server
// stored after afterMessageID ("" for the oldest), oldest first, and the
// id of the group's newest message ("" when there is none). An
// afterMessageID that is not one of the group's is a *NotFoundError.
func (s *Store) GroupMessages(groupID, afterMessageID string, limit int) ([]GroupMessage, string, error) {
	var out []GroupMessage
	newest := ""
	err := s.view(func(t *txn) error {
		if _, err := t.group(groupID); err != nil {
			return err
		}
		p := prefix(groupID)
		start := p
		if afterMessageID != "" {
			ref := t.b(bucketGroupMessageIDs).Get([]byte(afterMessageID))
			if ref == nil || !bytes.HasPrefix(ref, p) {
				return &NotFoundError{Kind: "message of group " + groupID, Key: afterMessageID}
			}
			start = seqKey(tailSeq(ref)+1, groupID)
		}
		c := t.b(bucketGroupMessages).Cursor()
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, p) && len(out) < limit; k, v = c.Next() {
			m, err := boltdb.Decode[GroupMessage](v)
			if err != nil {
				return fmt.Errorf("group message %d of %s: %w", tailSeq(k), groupID, err)
			}
			out = append(out, m)
		}
		k, _ := c.Seek(seqKey(1<<64-1, groupID))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		if k != nil && bytes.HasPrefix(k, p) {
			last, err := boltdb.Decode[GroupMessage](t.b(bucketGroupMessages).Get(k))
			if err != nil {
				return fmt.Errorf("group message %d of %s: %w", tailSeq(k), groupID, err)
			}
			newest = last.MessageID
		}
		return nil
	})
	return out, newest, err
}

// AddGroupRoutes records that local users belong to a group of another
// server, main (G10 operType 1, or the main server's answer to G2), and
// forgets their invitations into it (keeping the name an invitation
// carried when groupName is ""); self is this server, whose users'
// full ids the invitations are kept under. Users already routed stay as
// they are.
func (s *Store) AddGroupRoutes(groupID, main, groupName, self string, users []string) error {
	return s.update(func(t *txn) error {
		b := t.b(bucketGroupRoutes)
		for _, u := range users {
			if err := t.hasUser(u); err != nil {
				return err
			}
			invs, ik := t.b(bucketGroupInvitations), key(u+"@"+self, groupID)
			name := groupName
			if inv, ok, err := boltdb.Get[GroupInvitation](invs, ik); err != nil {
				return err
			} else if ok && name == "" {
				name = inv.GroupName
			}
			if err := invs.Delete(ik); err != nil {
				return err
			}
			if b.Get(key(groupID, u)) != nil {
				continue
			}
			r := GroupRoute{GroupID: groupID, User: u, Main: main, GroupName: name, JoinedAt: t.now}
			if err := boltdb.Put(b, key(groupID, u), r); err != nil {
				return err
			}
			if err := t.b(bucketGroupRoutesByUser).Put(key(u, groupID), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveGroupRoutes forgets that local users belong to a group of another
// server (removed, quit) and returns those it forgot.
func (s *Store) RemoveGroupRoutes(groupID string, users []string) ([]string, error) {
	var gone []string
	err := s.update(func(t *txn) error {
		var err error
		gone, err = t.removeRoutes(groupID, users)
		return err
	})
	return gone, err
}

// DropGroupRoutes forgets a group of another server (dissolved): every
// local user's route, and the invitations into it. It returns the users
// whose route it forgot.
func (s *Store) DropGroupRoutes(groupID string) ([]string, error) {
	var gone []string
	err := s.update(func(t *txn) error {
		invs := t.b(bucketGroupInvitations)
		var stale [][]byte
		if err := invs.ForEach(func(k, _ []byte) error {
			if bytes.HasSuffix(k, append([]byte{0}, groupID...)) {
				stale = append(stale, bytes.Clone(k))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range stale {
			if err := invs.Delete(k); err != nil {
				return err
			}
		}
		var users []string
		p := prefix(groupID)
		if err := forPrefix(t.b(bucketGroupRoutes), p, func(k, _ []byte) (bool, error) {
			users = append(users, string(k[len(p):]))
			return true, nil
		}); err != nil {
			return err
		}
		var err error
		gone, err = t.removeRoutes(groupID, users)
		return err
	})
	return gone, err
}

func (t *txn) removeRoutes(groupID string, users []string) ([]string, error) {
	var gone []string
	b := t.b(bucketGroupRoutes)
	for _, u := range users {
		if b.Get(key(groupID, u)) == nil {
			continue
		}
		if err := b.Delete(key(groupID, u)); err != nil {
			return nil, err
		}
		if err := t.b(bucketGroupRoutesByUser).Delete(key(u, groupID)); err != nil {
			return nil, err
		}
		gone = append(gone, u)
	}
	return gone, nil
}

// GroupRoute returns a local user's route to a group of another server.
func (s *Store) GroupRoute(groupID, user string) (GroupRoute, bool, error) {
	var r GroupRoute
	var ok bool
	err := s.view(func(t *txn) error {
		var err error
		r, ok, err = boltdb.Get[GroupRoute](t.b(bucketGroupRoutes), key(groupID, user))
		return err
	})
	return r, ok, err
}

// UnroutedMember returns the first of users (local ids) that is not
// routed to groupID here, "" when all are: one read for a G7's list.
func (s *Store) UnroutedMember(groupID string, users []string) (string, error) {
	missing := ""
	err := s.view(func(t *txn) error {
		b := t.b(bucketGroupRoutes)
		for _, u := range users {
			if b.Get(key(groupID, u)) == nil {
				missing = u
				return nil
			}
		}
		return nil
	})
	return missing, err
}

// GroupRoutesOf returns the groups of other servers a local user belongs to.
func (s *Store) GroupRoutesOf(user string) ([]GroupRoute, error) {
	var out []GroupRoute
	err := s.view(func(t *txn) error {
		p := prefix(user)
		return forPrefix(t.b(bucketGroupRoutesByUser), p, func(k, _ []byte) (bool, error) {
			r, _, err := boltdb.Get[GroupRoute](t.b(bucketGroupRoutes), key(string(k[len(p):]), user))
			out = append(out, r)
			return err == nil, err
		})
	})
	return out, err
}

// GroupMessageByID returns a message of a group of this server.
func (s *Store) GroupMessageByID(messageID string) (GroupMessage, bool, error) {
	var m GroupMessage
	var ok bool
	err := s.view(func(t *txn) error {
		ref := t.b(bucketGroupMessageIDs).Get([]byte(messageID))
		if ref == nil {
			return nil
		}
		var err error
		m, ok, err = boltdb.Get[GroupMessage](t.b(bucketGroupMessages), ref)
		return err
	})
	return m, ok, err
}

// DeliverGroup stores a group message (G7) in the inbox of each local
// user, in one transaction, exactly once per (messageID, user) as
// DeliverLocal does: one commit for a server's members, not one each.
func (s *Store) DeliverGroup(users []string, msg Message) error {
	if err := msg.check(); err != nil {
		return err
	}
	return s.batch(func(t *txn) error {
		for _, u := range users {
			if _, _, err := t.deliverLocal(u, msg); err != nil {
				return err
			}
		}
		return nil
	})
}

// RenameGroupRoutes records name as groupID's name in the routes of every
// local member: a member server learns a group's name from the invitation
// and, after a rename (G10 operType 7 carries no name), from the main
// server's G11. Routes already carrying name are left as they are.
func (s *Store) RenameGroupRoutes(groupID, name string) error {
	if err := checkText("groupName", name, maxNameLen, false); err != nil {
		return err
	}
	return s.update(func(t *txn) error {
		b := t.b(bucketGroupRoutes)
		var stale []GroupRoute
		err := forPrefix(b, prefix(groupID), func(_, v []byte) (bool, error) {
			r, err := boltdb.Decode[GroupRoute](v)
			if err == nil && r.GroupName != name {
				stale = append(stale, r)
			}
			return err == nil, err
		})
		if err != nil {
			return err
		}
		for _, r := range stale {
			r.GroupName = name
			if err := boltdb.Put(b, key(groupID, r.User), r); err != nil {
				return err
			}
		}
		return nil
	})
}

package imstore

import "github.com/imictl/imictl/internal/boltdb"

// Every bucket the store uses, declared here and nowhere else. Ordered keys
// (sequences) are big-endian uint64 so that bbolt's byte order is numeric
// order; composite keys join their parts with a 0x00 byte, which no part
// may contain (validate.go refuses it). Index buckets are written in the
// same transaction as the record they index.
//
// Names are prefixed by what they hold ("user_", "friend_", "inbox_",
// "outbox_", "group_"...) so that they cannot collide; conversation keys
// likewise start with "d:" (direct) or "g:" (groups).
var (
	// bucketMeta holds the schema version and the directory cursor.
	bucketMeta = boltdb.MetaBucket

	// bucketUsers: userID -> User.
	bucketUsers = []byte("user_records")

	// bucketFriends: owner 0x00 peer -> Friend.
	bucketFriends = []byte("friend_records")
	// bucketFriendRequests: u64 id -> FriendRequest.
	bucketFriendRequests = []byte("friend_requests")
	// bucketFriendRequestsOpen: direction 0x00 from 0x00 to -> u64 id of the
	// one pending request of that direction between the two users.
	bucketFriendRequestsOpen = []byte("friend_requests_open")

	// bucketInbox: user 0x00 u64 seq -> InboxMessage. The sequence is the
	// bucket's, shared by all users, so it also orders arrivals globally.
	bucketInbox = []byte("inbox_messages")
	// bucketInboxIDs: messageID 0x00 user -> u64 seq; the dedupe index.
	bucketInboxIDs = []byte("inbox_ids")
	// bucketRepeals: messageID -> Repeal; every accepted repeal, so that an
	// original arriving after its repeal is stored already revoked.
	bucketRepeals = []byte("inbox_repeals")

	// bucketSent: messageID -> SentMessage (local users' own sends).
	bucketSent = []byte("sent_messages")
	// bucketSentByUser: user 0x00 u64 seq -> messageID.
	bucketSentByUser = []byte("sent_by_user")

	// bucketFiles: fileID -> FileMeta.
	bucketFiles = []byte("file_meta")
	// bucketFileRecipients: fileID 0x00 serverId -> empty; who may download.
	bucketFileRecipients = []byte("file_recipients")

	// bucketOutbox: u64 id -> OutboxItem (pending, parked or delivered).
	bucketOutbox = []byte("outbox_items")
	// bucketOutboxQueue: destination 0x00 conversation 0x00 u64 id -> empty;
	// one entry per undelivered (pending or parked) item, so a conversation's
	// items are contiguous and in order.
	bucketOutboxQueue = []byte("outbox_queue")
	// bucketOutboxDone: u64 id -> empty, one per delivered item still kept;
	// its bucket sequence is their count, to bound the history.
	bucketOutboxDone = []byte("outbox_done")

	// bucketDirectory: serverId -> DirEntry, the cached M1 directory.
	bucketDirectory = []byte("directory_entries")

	// bucketPolicy: keyPolicy -> Policy.
	bucketPolicy = []byte("policy")

	// Groups (groups.go). On the main group's server: the group record,
	// its members, its pending invitations and its messages. Elsewhere:
	// only routes (which local users belong to which group, and where it
	// lives) and the invitations of local users.

	// bucketGroups: groupID -> Group.
	bucketGroups = []byte("group_records")
	// bucketGroupMembers: groupID 0x00 member -> GroupMember.
	bucketGroupMembers = []byte("group_members")
	// bucketGroupMemberOf: member 0x00 groupID -> empty.
	bucketGroupMemberOf = []byte("group_member_of")
	// bucketGroupInvitations: invitee 0x00 groupID -> GroupInvitation.
	bucketGroupInvitations = []byte("group_invitations")
	// bucketGroupMessages: groupID 0x00 u64 seq -> GroupMessage.
	bucketGroupMessages = []byte("group_messages")
	// bucketGroupMessageIDs: messageID -> groupID 0x00 u64 seq.
	bucketGroupMessageIDs = []byte("group_message_ids")
	// bucketGroupRoutes: groupID 0x00 local user -> GroupRoute.
	bucketGroupRoutes = []byte("group_routes")
	// bucketGroupRoutesByUser: local user 0x00 groupID -> empty.
	bucketGroupRoutesByUser = []byte("group_routes_by_user")
)

// allBuckets is what the migrations create and what Open checks.
var allBuckets = [][]byte{
	bucketMeta,
	bucketUsers,
	bucketFriends, bucketFriendRequests, bucketFriendRequestsOpen,
	bucketInbox, bucketInboxIDs, bucketRepeals,
	bucketSent, bucketSentByUser,
	bucketFiles, bucketFileRecipients,
	bucketOutbox, bucketOutboxQueue, bucketOutboxDone,
	bucketDirectory,
	bucketPolicy,
	bucketGroups, bucketGroupMembers, bucketGroupMemberOf, bucketGroupInvitations,
	bucketGroupMessages, bucketGroupMessageIDs, bucketGroupRoutes, bucketGroupRoutesByUser,
}

// Keys in bucketMeta and bucketPolicy.
var (
	keyDirCursor = []byte("directory_cursor")
	keyPolicy    = []byte("current")
)

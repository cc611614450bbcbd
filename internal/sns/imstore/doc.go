// Package imstore is the reference IM server's persistent state: one bbolt
// file (im.db) holding local users, friendships and friend requests, each
// user's inbox, the messages local users sent, file metadata and download
// rights, a durable per-destination outbox, the cached directory of the
// management server and the operator's white/black lists; plus BlobStore,
// the content-addressed file contents on disk beside it. It does no HTTP
// and no cryptography (besides hashing file contents).
//
// # Opening
//
// Open waits at most Options.Timeout (1s) for bbolt's file lock and then
// returns a *LockedError (errors.Is ErrLocked) telling the user that the IM
// server is running and to use its admin API (`imictl im ...`) or stop it.
// The lock is flock(2) per open file description, so a second Open in the
// same process is refused too. Read-only opens share the lock.
//
// # Layout
//
// Buckets are declared in buckets.go only, named by what they hold so that
// groups can add "group_*" buckets without collision. The meta bucket
// holds the schema version; migrations.go lists ordered migrations, run at
// Open in one transaction; a newer file is refused (ErrSchemaTooNew). Every
// value is JSON in an envelope {"v": version, "d": record}; a record with
// an unknown version is refused rather than misread. Sequences are
// big-endian uint64; composite keys join parts with 0x00, which no stored
// id can contain. Indexes are written in the transaction of their record.
//
// # Identities
//
// The store does not know its own serverId. Local users are bare user ids
// (CheckUserID); the other side of a friendship or message is a canonical
// address ("user@serverId", "user@host:port") or a bare local id, as the
// caller chooses: callers should use one form consistently (the full
// address, recommended). Methods that act for a local user take its bare id
// as a separate argument (DeliverLocal, RecordSent...).
//
// # Acknowledged means persisted
//
// A change that must reach a peer (a sent message, a friend request, an
// answer, a deletion, a repeal) is recorded together with its outbox items
// (Send) in one transaction: RecordSent, RecordOutgoingRequest, Accept,
// Refuse, DeleteFriend, RepealSent. Once the method returns, the change and
// the calls announcing it survive a crash. Delivery to a local recipient is
// a separate DeliverLocal.
//
// # Group commit
//
// Every write is one bbolt transaction, and every commit costs two
// fdatasyncs: serially, a few hundred to a couple of thousand commits a
// second, whatever the CPU. The writes every message makes (DeliverLocal
// and Repeal as S1 arrives, RecordSent, MarkDelivered, MarkRetry, Park)
// therefore go through a boltdb.Group: calls arriving while a commit is
// under way share the next one, with no timer (an idle store commits at
// once). Each call still returns only once its own changes are committed,
// so "acknowledged means persisted" holds call by call; a call that fails
// is run again alone and fails alone. CommitStats shows how many calls a
// commit carries. The other writes are rare and use a transaction each.
//
// # Outbox
//
// Items are queued per destination and per conversation (sender →
// recipient: DirectConversation; groups will use "g:..."). Due returns,
// for one destination, the oldest undelivered item of each conversation if
// it is pending and due, up to a window: order within a conversation,
// parallelism across conversations. The worker owns the backoff: MarkRetry
// for network errors and 5xx, Park with the reason for 4xx, MarkDelivered
// on success. A parked item blocks its own conversation (a later message
// must not overtake it) until an administrator calls RetryNow or
// DropOutboxItem; other conversations proceed. Delivered items are kept as
// bounded history (Options.DeliveredHistory). After a restart,
// Destinations lists the peers to start workers for.
//
// # Inbox, dedupe and repeal
//
// DeliverLocal stores a message once per (messageID, user): a duplicate
// returns the stored copy with duplicate=true. Only the message's origin
// may revoke it: Repeal(messageID, byServer) requires byServer to equal the
// server part of messageID. Every accepted repeal is remembered (a
// tombstone), so a copy arriving after its repeal is stored already
// revoked, and repeating a repeal is harmless. Tombstones are kept forever;
// a peer can only create them for its own message ids.
//
// # Files
//
// BlobStore streams content to tmp/, hashing (sha256 names the blob, md5
// is what the standard's messages carry) and enforcing the size limit as
// it goes, fsyncs, then renames into place: a blob is complete or absent.
// PutFile records the metadata under the fileID. A Send carrying a FileID
// grants its destination the right to download that file (MayDownload),
// in the same transaction. Blobs no record names are not collected yet.
package imstore

// Package imserver is the reference IM server of the interconnection: a
// real peer that vendors test against, serving the standard's one-to-one
// interfaces (S1–S9, §6.4.1) over its own users, friends, messages and
// files, delivering what its users send, and operated through a local
// admin API. The wire behaviour is docs/PROTOCOL.md, sections 3, 4 and 6.
//
// # Parts
//
//   - Trust (server.go, directory.go, crl.go, policy.go): every call, in
//     and out, goes through httpsig. Peers are found in the store's copy of
//     the management server's directory, kept current by incremental M1
//     queries and by receivenotify (M3); certificates come from M2 when a
//     record is first used; the CRL is fetched every few minutes and kept on
//     disk; the white/black lists come from the configuration or the admin
//     API and are checked before anything else.
//   - Interfaces (routes.go and one file per area: users.go for S3, S4,
//     S8, S9; friends.go for S5–S7; chat.go for S1; files.go for S2;
//     notify.go for M3): handlers see clean wire types, check that the user
//     is local and that the ids the caller speaks for are the caller's, and
//     answer with the standard's envelopes. Group interfaces will be another
//     route table and files of their own.
//   - Local operations (send.go, social.go, files.go, outbox.go): what a
//     local user does, recorded with the calls that announce it in one
//     store transaction.
//   - Delivery (delivery.go): a worker per destination, ordered per
//     conversation, with backoff and parking.
//   - Admin API (admin.go, adminhandlers.go): HTTP over a 0600 unix socket;
//     the contract is package adminapi and the client package adminclient.
//
// # Performance
//
// A call that changes state is answered once the change is on disk. The
// writes every message makes (S1 at the receiver; the send, its outbox
// entry and the delivery mark at the sender) share commits when they
// arrive together (imstore's group commit), each still answered after its
// own commit. BenchmarkChatRoundTrip (two servers on loopback, -callers 16)
// measured 1,700 signed S1 round trips/s against an SM2 bound of 10,800/s
// (0.16) on a 2-core machine with another process using one core, at 5.6
// messages per commit; 900/s (0.09) with a commit per message. S8, which
// writes nothing, made 2,100–2,300/s (0.20) in the same runs: what limits
// S1 now is the round trip's CPU (SM2 about 40%; HTTP, JSON, GC), not the
// store. BenchmarkUserRoundTrip and imstore's BenchmarkDeliverLocalParallel
// tell the parts apart.
//
// # Life cycle
//
// New loads the identity, opens the store and binds both listeners; Run
// serves until its context ends or Shutdown is called, then stops
// gracefully, leaving undelivered calls in the outbox for the next start.
package imserver

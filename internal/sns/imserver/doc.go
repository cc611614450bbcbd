// Package imserver is the reference IM server of the interconnection: a
// real peer that vendors test against, serving the standard's one-to-one
// interfaces (S1–S9, §6.4.1) and the group interfaces (G1–G12, §6.4.2)
// over its own users, friends, groups, messages and files, delivering
// what its users send, and operated through a local admin API. The wire
// behaviour is docs/PROTOCOL.md, sections 3, 4, 6 and 9.
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
//     answer with the standard's envelopes.
//   - Groups (groups.go: the main group's rules and notices; groupcalls.go:
//     G1–G4, G8, G9, G11, G12; groupnotify.go: G7, G10; groupchat.go: S1
//     type 2, file re-hosting and fan-out; groupops.go and groupadmin.go:
//     what local users do): a group lives on its main server only; other
//     servers keep routes. docs/PROTOCOL.md, section 9.
//   - Local operations (send.go, social.go, files.go, outbox.go): what a
//     local user does, recorded with the calls that announce it in one
//     store transaction.
//   - Delivery (delivery.go, unpark.go): a worker per destination, ordered
//     per conversation, with backoff and parking; a parked call whose
//     refusal can end is retried when the directory shows it ended.
//   - Admin API (admin.go, adminhandlers.go): HTTP over a 0600 unix socket;
//     the contract is package adminapi and the client package adminclient.
//
// # Performance
//
// A call that changes state is answered once the change is on disk. The
// writes every message makes (S1 at the receiver; the send, its outbox
// entry and the delivery mark at the sender) share commits when they
// arrive together (imstore's group commit), each still answered after its
// own commit. BenchmarkChatRoundTrip (two servers on loopback, -callers 16,
// a 2-core machine) measured 2,800 signed S1 round trips/s against an SM2
// bound of 9,700/s (0.28) at 5.3 messages per commit, and 540 µs of CPU
// per round trip; with a commit per message, 1,600/s (0.17) and 870 µs.
// S8, which writes nothing, made 5,500/s (0.50) at 350 µs in the same
// runs. What limits S1 now is mostly CPU (SM2 a third; the commits, HTTP,
// JSON, GC), not waiting for the disk. BenchmarkUserRoundTrip and imstore's
// BenchmarkDeliverLocalParallel tell the parts apart.
//
// # Life cycle
//
// New loads the identity, opens the store and binds both listeners; Run
// serves until its context ends or Shutdown is called, then stops
// gracefully, leaving undelivered calls in the outbox for the next start.
package imserver

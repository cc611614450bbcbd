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
// own commit. What limits S1 is CPU, not waiting for the disk: SM2 is
// about a third of a round trip's, the rest HTTP, JSON, allocation and the
// commits. BenchmarkChatRoundTrip and BenchmarkUserRoundTrip report the
// round trips next to the SM2 bound of the same run, BenchmarkGroupFanOut
// a group's fan-out beside them; docs/PERFORMANCE.md has the figures and
// how to reproduce them.
//
// # Life cycle
//
// New loads the identity, opens the store and binds both listeners; Run
// serves until its context ends or Shutdown is called, then stops
// gracefully, leaving undelivered calls in the outbox for the next start.
package imserver

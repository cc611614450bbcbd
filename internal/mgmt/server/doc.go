// Package server runs the management server (docs/PROTOCOL.md, section 5):
//
//   - the public API on a TCP address (127.0.0.1:8440 by default): the
//     standard's directory (M1, signed by a registered server), server
//     certificates (M2) and CRL, the root for bootstrapping, and our
//     applicant calls (submit unsigned, modify and cancel signed by the
//     server, status signed with the application's key). Every answer is
//     signed by the management server's identity (center-im);
//   - the admin API (mgmt.AdminPrefix) on the unix socket
//     <data>/mgmt/admin.sock, 0600 in a 0700 directory, for the admin
//     commands while the server runs (client.OpenAdmin finds it);
//   - the notifier, which tells every normal IM server of each change (M3)
//     from the store's durable outbox, with backoff, across restarts;
//   - the CRL refresher, which publishes a new CRL when half of the
//     current one's validity has passed (revocations publish at once).
//
// `imictl serve --mgmt` calls New, Listen, then Serve until its context ends
// (Close instead of Serve if it gives up before serving).
package server

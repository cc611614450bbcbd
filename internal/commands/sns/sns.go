// Package sns implements `imictl sns`: one subcommand per interconnection
// interface of the standard (S1–S9, G1–G12) and `sns call` for any
// request. Each sends a request signed as the configured identity
// (internal/commands/identity) to a peer IM server, authenticates the
// signed answer, and prints it. What they send and check is
// internal/sns/client's job; this package parses flags and prints.
package sns

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// NewCmdSNS returns the `imictl sns` group.
func NewCmdSNS(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("sns", "Call a peer IM server's interconnection interfaces, signed")
	cmd.Long = `Call a peer IM server's interconnection interfaces (the standard's S1-S9 and
G1-G12) as your server: each request is signed with your key and the peer's
signed answer is authenticated (certificate, revocation, status, signature)
before it is printed. Exit code 4 means authentication failed, in either
direction; the reason is printed, and --verbose shows both messages with
their headers.

The peer is --to SERVERID (its address comes from the management server's
directory), --url URL (its serverId is then learned from its signed answer,
or pinned with --to), or else the server named by the user, file or group id
the command is about (user@serverId, or user@host:port): for a group, its main
server.

Your identity comes from --server-id/--key/--cert/--root/--mgmt flags,
IMICTL_* variables or a context of the config file (imictl config).`
	cmd.AddCommand(
		NewCmdChat(f, nil),
		NewCmdDownload(f, nil),
		NewCmdFindUsers(f, nil),
		NewCmdVerifyUser(f, nil),
		NewCmdAddFriend(f, nil),
		NewCmdRespondFriend(f, nil),
		NewCmdDelFriend(f, nil),
		NewCmdUser(f, nil),
		NewCmdIsFriend(f, nil),
		NewCmdInviteGroup(f, nil),
		NewCmdAnswerGroupInvite(f, nil),
		NewCmdRemoveMembers(f, nil),
		NewCmdQuitGroup(f, nil),
		NewCmdNotifyGroupChat(f, nil),
		NewCmdGroupChat(f, nil),
		NewCmdUpdateGroup(f, nil),
		NewCmdNotifyGroup(f, nil),
		NewCmdGroupInfo(f, nil),
		NewCmdGroupMembers(f, nil),
		NewCmdCall(f, nil),
	)
	return cmd
}

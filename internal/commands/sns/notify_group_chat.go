package sns

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// NotifyGroupChatOptions are the inputs of `imictl sns notify-group-chat`.
type NotifyGroupChatOptions struct {
	Options
	MessageFlags
	GroupID string
	Members []string // userIDs: the members on the receiving server
}

// NewCmdNotifyGroupChat returns `imictl sns notify-group-chat` (G7).
func NewCmdNotifyGroupChat(f *cmdutil.Factory, runF func(*NotifyGroupChatOptions) error) *cobra.Command {
	opts := &NotifyGroupChatOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "notify-group-chat GROUPID --member USERID... --from SENDER (--text TEXT | --type image|voice|file --file-id ID ...)",
		Short: "Pass a group message on to the members of another server (G7, POST /sns/notify/grpchat)",
		Long: `As the main server of GROUPID, pass a group message from SENDER (any member)
on to the --member users of the server called: the call goes to the server of
the first --member unless --to or --url say otherwise. The message is a group
message (type 2) whose recvID is GROUPID; its id is generated as
<random>@<your serverId> unless --message-id gives one.

A server accepts G7 only from the group's main server: from any other, it
refuses the call.`,
		Example: `  imictl sns notify-group-chat g1@alpha-im --member 13500001111@beta-im --member 13500003333@beta-im --from 13600002222@alpha-im --text "hello, everyone"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.GroupID = args[0]
			if err := opts.prepareFor(f, cmd, "GROUPID", opts.GroupID); err != nil {
				return err
			}
			if err := opts.validate(); err != nil {
				return err
			}
			if _, err := opts.request(placeholderServer); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return notifyGroupChatRun(cmd, opts)
		},
	}
	addMessageFlags(cmd, &opts.MessageFlags)
	cmd.Flags().StringArrayVar(&opts.Members, "member", nil, "a recipient's user `ID`, a member on the server called (repeat the flag for each)")
	_ = cmd.MarkFlagRequired("member")
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

// request builds the body, checked like a receiver checks it.
func (opts *NotifyGroupChatOptions) request(serverID string) (wire.NotifyGroupChatRequest, error) {
	req := wire.NotifyGroupChatRequest{UserIDs: opts.Members, MessageInfo: opts.build(serverID, opts.GroupID, wire.ChatGroup)}
	if err := req.Validate(); err != nil {
		return req, cmdutil.UsageError("%v", err)
	}
	return req, nil
}

func notifyGroupChatRun(cmd *cobra.Command, opts *NotifyGroupChatOptions) error {
	s, err := opts.Connect(cmd.Context(), opts.Members[0])
	if err != nil {
		return err
	}
	req, err := opts.request(s.id.ServerID)
	if err != nil {
		return err
	}
	printMessageID(opts.Options, opts.MessageID, req.MessageInfo.MessageID)
	var raw *client.RawResponse
	err = s.client.NotifyGroupChat(cmd.Context(), s.peer, opts.GroupID, req, client.Raw(&raw))
	return report(opts.IO, opts.Format, raw, err, func() output.View {
		return okView(raw, output.Field{Key: "Message ID", Value: req.MessageInfo.MessageID})
	})
}

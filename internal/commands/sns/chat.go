package sns

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// ChatOptions are the inputs of `imictl sns chat`.
type ChatOptions struct {
	Options
	MessageFlags
	ToUser string
	Group  bool // a group message (type 2) for the group ToUser, sent to its main server
}

// NewCmdChat returns `imictl sns chat` (S1).
func NewCmdChat(f *cmdutil.Factory, runF func(*ChatOptions) error) *cobra.Command {
	opts := &ChatOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "chat [RECIPIENT] --from SENDER (--text TEXT | --type image|voice|file --file-id ID ... | --type repeal --message-id ID) [--group]",
		Short: "Deliver a one-to-one or group message to the recipient's server (S1, POST /sns/chat)",
		Long: `Deliver a message from SENDER (a user of your server) to RECIPIENT (or
--to-user), on the recipient's server. The message id is generated as
<random>@<your serverId> unless --message-id gives one; for --type repeal,
--message-id names the message to revoke.

With --group, RECIPIENT is a group (xxxx@serverId of its main server): the
message is a group message (type 2), sent to the main group's server, which
stores it and passes it on to the members of every server (G7).

For image, voice and file messages the peer later downloads the file from
your server with S2, by --file-id.`,
		Example: `  imictl sns chat 13500001111@beta-im --from 13600002222@alpha-im --text "hello"
  imictl sns chat --to-user 13500001111@beta-im --from 13600002222@alpha-im --type file --file-id f1@alpha-im --name report.pdf --size 2048 --md5 0cc175b9c0f1b6a831c399e269772661
  imictl sns chat 13500001111@beta-im --from 13600002222@alpha-im --type repeal --message-id m1@alpha-im
  imictl sns chat g1@beta-im --group --from 13600002222@alpha-im --text "hello, everyone"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if opts.ToUser != "" && opts.ToUser != args[0] {
					return cmdutil.UsageError("the recipient is given twice: as an argument and as --to-user")
				}
				opts.ToUser = args[0]
			}
			if err := opts.prepare(f, cmd); err != nil {
				return err
			}
			if err := validateChat(opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return chatRun(cmd, opts)
		},
	}
	addMessageFlags(cmd, &opts.MessageFlags)
	cmd.Flags().StringVar(&opts.ToUser, "to-user", "", "the recipient's user `ID` (or give it as the argument); with --group, the group's")
	cmd.Flags().BoolVar(&opts.Group, "group", false, "send a group message (type 2): the recipient is a group id")
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

// validateChat checks what can be checked before the identity is known
// (the generated message id needs the serverId).
func validateChat(opts *ChatOptions) error {
	if opts.ToUser == "" {
		return cmdutil.UsageError("who is the message for? give RECIPIENT or --to-user")
	}
	if err := opts.validate(); err != nil {
		return err
	}
	_, err := opts.message(placeholderServer) // the ids, sizes, md5... as a receiver checks them
	return err
}

// message builds the request, checked like a receiver checks it.
func (opts *ChatOptions) message(serverID string) (wire.ChatRequest, error) {
	chatType := wire.ChatSingle
	if opts.Group {
		chatType = wire.ChatGroup
	}
	req := wire.ChatRequest{MessageInfo: opts.build(serverID, opts.ToUser, chatType)}
	if err := req.Validate(); err != nil {
		return req, cmdutil.UsageError("%v", err)
	}
	return req, nil
}

func chatRun(cmd *cobra.Command, opts *ChatOptions) error {
	s, err := opts.Connect(cmd.Context(), opts.ToUser)
	if err != nil {
		return err
	}
	req, err := opts.message(s.id.ServerID)
	if err != nil {
		return err
	}
	printMessageID(opts.Options, opts.MessageID, req.MessageInfo.MessageID)
	var raw *client.RawResponse
	err = s.client.Chat(cmd.Context(), s.peer, req, client.Raw(&raw))
	return report(opts.IO, opts.Format, raw, err, func() output.View {
		return okView(raw, output.Field{Key: "Message ID", Value: req.MessageInfo.MessageID})
	})
}

// printMessageID says, with -o json or yaml, which id was generated for the
// message (the table shows it): a script needs it to repeal the message.
func printMessageID(o Options, given, sent string) {
	if given == "" && o.Format != output.Table {
		fmt.Fprintf(o.IO.ErrOut, "Message ID: %s\n", sent)
	}
}

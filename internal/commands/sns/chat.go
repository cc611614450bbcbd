package sns

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// ChatOptions are the inputs of `imictl sns chat`.
type ChatOptions struct {
	Options
	From, ToUser, Type, MessageID string
	Text                          string
	FileID, Name, Size, MD5       string
	Duration                      string
}

// NewCmdChat returns `imictl sns chat` (S1).
func NewCmdChat(f *cmdutil.Factory, runF func(*ChatOptions) error) *cobra.Command {
	opts := &ChatOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "chat [RECIPIENT] --from SENDER (--text TEXT | --type image|voice|file --file-id ID ... | --type repeal --message-id ID)",
		Short: "Deliver a one-to-one message to the recipient's server (S1, POST /sns/chat)",
		Long: `Deliver a message from SENDER (a user of your server) to RECIPIENT (or
--to-user), on the recipient's server. The message id is generated as
<random>@<your serverId> unless --message-id gives one; for --type repeal,
--message-id names the message to revoke.

For image, voice and file messages the peer later downloads the file from
your server with S2, by --file-id.`,
		Example: `  imictl sns chat 13500001111@beta-im --from 13600002222@alpha-im --text "hello"
  imictl sns chat --to-user 13500001111@beta-im --from 13600002222@alpha-im --type file --file-id f1@alpha-im --name report.pdf --size 2048 --md5 0cc175b9c0f1b6a831c399e269772661
  imictl sns chat 13500001111@beta-im --from 13600002222@alpha-im --type repeal --message-id m1@alpha-im`,
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
	fs := cmd.Flags()
	fs.StringVar(&opts.From, "from", "", "the sender's user `ID` (a user of your server)")
	fs.StringVar(&opts.ToUser, "to-user", "", "the recipient's user `ID` (or give it as the argument)")
	fs.StringVar(&opts.Type, "type", wire.MessageText, "message `TYPE`: text, image, voice, file or repeal")
	fs.StringVar(&opts.Text, "text", "", "the `TEXT` of a text message")
	fs.StringVar(&opts.FileID, "file-id", "", "the file `ID` of an image, voice or file message (xxx@yourServerId)")
	fs.StringVar(&opts.Name, "name", "", "the file `NAME` of an image or file message")
	fs.StringVar(&opts.Size, "size", "", "the file size in `BYTES`")
	fs.StringVar(&opts.MD5, "md5", "", "the file's MD5 in `HEX`")
	fs.StringVar(&opts.Duration, "duration", "", "the length of a voice message in `SECONDS`")
	fs.StringVar(&opts.MessageID, "message-id", "", "the message `ID` (default random@yourServerId); for repeal, the message revoked")
	_ = cmd.MarkFlagRequired("from")
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

// validateChat checks what can be checked before the identity is known
// (the generated message id needs the serverId).
func validateChat(opts *ChatOptions) error {
	if opts.ToUser == "" {
		return cmdutil.UsageError("who is the message for? give RECIPIENT or --to-user")
	}
	opts.Type = strings.ToLower(opts.Type)
	var unused []string
	flag := func(name, v string, usedBy ...string) {
		for _, t := range usedBy {
			if t == opts.Type {
				return
			}
		}
		if v != "" {
			unused = append(unused, "--"+name)
		}
	}
	flag("text", opts.Text, wire.MessageText)
	flag("file-id", opts.FileID, wire.MessageImage, wire.MessageVoice, wire.MessageFile)
	flag("name", opts.Name, wire.MessageImage, wire.MessageFile)
	flag("size", opts.Size, wire.MessageImage, wire.MessageVoice, wire.MessageFile)
	flag("md5", opts.MD5, wire.MessageImage, wire.MessageVoice, wire.MessageFile)
	flag("duration", opts.Duration, wire.MessageVoice)
	switch opts.Type {
	case wire.MessageText, wire.MessageImage, wire.MessageVoice, wire.MessageFile:
	case wire.MessageRepeal:
		if opts.MessageID == "" {
			return cmdutil.UsageError("--type repeal needs --message-id: the id of the message to revoke")
		}
	default:
		return cmdutil.UsageError("--type %q: want text, image, voice, file or repeal", opts.Type)
	}
	if len(unused) > 0 {
		return cmdutil.UsageError("%s: not used by a %s message", strings.Join(unused, ", "), opts.Type)
	}
	if opts.Type == wire.MessageText && opts.Text == "" {
		return cmdutil.UsageError("a text message needs --text")
	}
	_, err := opts.message("placeholder") // the ids, sizes, md5... as a receiver checks them
	return err
}

// message builds the messageInfo, checked like a receiver checks it.
func (opts *ChatOptions) message(serverID string) (wire.ChatRequest, error) {
	m := wire.MessageInfo{SenderID: opts.From, RecvID: opts.ToUser, MessageType: opts.Type, Version: wire.Version1,
		Type: wire.ChatSingle, MessageID: opts.MessageID, FileID: opts.FileID}
	if m.MessageID == "" {
		var b [8]byte
		rand.Read(b[:])
		m.MessageID = hex.EncodeToString(b[:]) + "@" + serverID
	}
	switch opts.Type {
	case wire.MessageText:
		m.Content = &wire.TextContent{Message: opts.Text}
	case wire.MessageImage:
		m.Content = &wire.ImageContent{Size: opts.Size, Name: opts.Name, FileID: opts.FileID, MD5: opts.MD5}
	case wire.MessageVoice:
		m.Content = &wire.VoiceContent{Size: opts.Size, FileID: opts.FileID, Duration: opts.Duration, MD5: opts.MD5}
	case wire.MessageFile:
		m.Content = &wire.FileContent{Size: opts.Size, Name: opts.Name, FileID: opts.FileID, MD5: opts.MD5}
	case wire.MessageRepeal:
		m.Content = &wire.RepealContent{}
	}
	req := wire.ChatRequest{MessageInfo: m}
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
	if opts.MessageID == "" && opts.Format != output.Table {
		fmt.Fprintf(opts.IO.ErrOut, "Message ID: %s\n", req.MessageInfo.MessageID)
	}
	var raw *client.RawResponse
	err = s.client.Chat(cmd.Context(), s.peer, req, client.Raw(&raw))
	return report(opts.IO, opts.Format, raw, err, func() output.View {
		return okView(raw, output.Field{Key: "Message ID", Value: req.MessageInfo.MessageID})
	})
}

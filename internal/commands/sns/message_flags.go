package sns

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/wire"
)

// MessageFlags are the flags that describe a messageInfo: what `sns chat`
// (S1) sends and what `sns notify-group-chat` (G7) fans out.
type MessageFlags struct {
	From, Type, MessageID   string
	Text                    string
	FileID, Name, Size, MD5 string
	Duration                string
}

func addMessageFlags(cmd *cobra.Command, m *MessageFlags) {
	fs := cmd.Flags()
	fs.StringVar(&m.From, "from", "", "the sender's user `ID`")
	fs.StringVar(&m.Type, "type", wire.MessageText, "message `TYPE`: text, image, voice, file or repeal")
	fs.StringVar(&m.Text, "text", "", "the `TEXT` of a text message")
	fs.StringVar(&m.FileID, "file-id", "", "the file `ID` of an image, voice or file message (xxx@serverId of the server that holds it)")
	fs.StringVar(&m.Name, "name", "", "the file `NAME` of an image or file message")
	fs.StringVar(&m.Size, "size", "", "the file size in `BYTES`")
	fs.StringVar(&m.MD5, "md5", "", "the file's MD5 in `HEX`")
	fs.StringVar(&m.Duration, "duration", "", "the length of a voice message in `SECONDS`")
	fs.StringVar(&m.MessageID, "message-id", "", "the message `ID` (default random@yourServerId); for repeal, the message revoked")
	_ = cmd.MarkFlagRequired("from")
}

// validate checks the flags against the message type. The ids, sizes and
// md5 are checked by build, as a receiver checks them.
func (m *MessageFlags) validate() error {
	m.Type = strings.ToLower(m.Type)
	var unused []string
	flag := func(name, v string, usedBy ...string) {
		for _, t := range usedBy {
			if t == m.Type {
				return
			}
		}
		if v != "" {
			unused = append(unused, "--"+name)
		}
	}
	flag("text", m.Text, wire.MessageText)
	flag("file-id", m.FileID, wire.MessageImage, wire.MessageVoice, wire.MessageFile)
	flag("name", m.Name, wire.MessageImage, wire.MessageFile)
	flag("size", m.Size, wire.MessageImage, wire.MessageVoice, wire.MessageFile)
	flag("md5", m.MD5, wire.MessageImage, wire.MessageVoice, wire.MessageFile)
	flag("duration", m.Duration, wire.MessageVoice)
	switch m.Type {
	case wire.MessageText, wire.MessageImage, wire.MessageVoice, wire.MessageFile:
	case wire.MessageRepeal:
		if m.MessageID == "" {
			return cmdutil.UsageError("--type repeal needs --message-id: the id of the message to revoke")
		}
	default:
		return cmdutil.UsageError("--type %q: want text, image, voice, file or repeal", m.Type)
	}
	if len(unused) > 0 {
		return cmdutil.UsageError("%s: not used by a %s message", strings.Join(unused, ", "), m.Type)
	}
	if m.Type == wire.MessageText && m.Text == "" {
		return cmdutil.UsageError("a text message needs --text")
	}
	return nil
}

// build makes the messageInfo for recvID, of chat type 1 (one-to-one) or
// 2 (group), with a message id random@serverID unless --message-id.
func (m *MessageFlags) build(serverID, recvID string, chatType int) wire.MessageInfo {
	info := wire.MessageInfo{SenderID: m.From, RecvID: recvID, MessageType: m.Type, Version: wire.Version1,
		Type: chatType, MessageID: m.MessageID, FileID: m.FileID}
	if info.MessageID == "" {
		var b [8]byte
		rand.Read(b[:])
		info.MessageID = hex.EncodeToString(b[:]) + "@" + serverID
	}
	switch m.Type {
	case wire.MessageText:
		info.Content = &wire.TextContent{Message: m.Text}
	case wire.MessageImage:
		info.Content = &wire.ImageContent{Size: m.Size, Name: m.Name, FileID: m.FileID, MD5: m.MD5}
	case wire.MessageVoice:
		info.Content = &wire.VoiceContent{Size: m.Size, FileID: m.FileID, Duration: m.Duration, MD5: m.MD5}
	case wire.MessageFile:
		info.Content = &wire.FileContent{Size: m.Size, Name: m.Name, FileID: m.FileID, MD5: m.MD5}
	case wire.MessageRepeal:
		info.Content = &wire.RepealContent{}
	}
	return info
}

// placeholderServer stands for your serverId when a message is checked
// before the identity is loaded (a generated id needs it).
const placeholderServer = "placeholder"

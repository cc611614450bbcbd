package sns

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// GroupChatOptions are the inputs of `imictl sns group-chat`.
type GroupChatOptions struct {
	Options
	GroupID string
	After   string // messageID: only messages newer than it; "" for the oldest the server keeps
}

// NewCmdGroupChat returns `imictl sns group-chat` (G8).
func NewCmdGroupChat(f *cmdutil.Factory, runF func(*GroupChatOptions) error) *cobra.Command {
	opts := &GroupChatOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "group-chat GROUPID [--after MESSAGEID]",
		Short: "Fetch a group's messages from its main server (G8, GET /sns/grpchat)",
		Long: `Ask the group's main server for the messages of GROUPID newer than
MESSAGEID, oldest first, with the id of the newest (newestMessageID); without
--after, from the oldest it keeps. The server answers a bounded page: ask
again --after the last id shown for more. It answers only a server that has
a member in the group.`,
		Example: `  imictl sns group-chat g1@beta-im --after 3f2a9c1e07b4d685@beta-im -o json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.GroupID = args[0]
			if err := opts.prepareFor(f, cmd, "GROUPID", opts.GroupID); err != nil {
				return err
			}
			if opts.After != "" {
				if err := checkID("--after", opts.After); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return groupChatRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.After, "after", "", "only messages newer than the message `ID` (messageID)")
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func groupChatRun(cmd *cobra.Command, opts *GroupChatOptions) error {
	s, err := opts.Connect(cmd.Context(), opts.GroupID)
	if err != nil {
		return err
	}
	var raw *client.RawResponse
	r, err := s.client.GroupChat(cmd.Context(), s.peer, opts.GroupID, opts.After, client.Raw(&raw))
	return report(opts.IO, opts.Format, raw, err, func() output.View {
		v := output.View{Headers: []string{"message-id", "from", "type", "content"}, Rows: [][]string{}}
		for _, m := range r.Messages {
			v.Rows = append(v.Rows, []string{m.MessageID, m.SenderID, m.MessageType, contentSummary(m)})
		}
		return v
	})
}

// contentSummary is one line for a message's content: its text, or the
// file it announces.
func contentSummary(m wire.MessageInfo) string {
	switch c := m.Content.(type) {
	case *wire.TextContent:
		return c.Message
	case *wire.FileContent:
		return c.Name + " (" + c.Size + " bytes, file " + m.FileID + ")"
	case *wire.ImageContent:
		return c.Name + " (" + c.Size + " bytes, file " + m.FileID + ")"
	case *wire.VoiceContent:
		return c.Duration + " s (" + c.Size + " bytes, file " + m.FileID + ")"
	case *wire.RepealContent:
		return "revokes " + m.MessageID
	}
	return ""
}

package im

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// SendOptions are the inputs of `imictl im send`.
type SendOptions struct {
	Options
	MessageContent
	From, To string
}

// MessageContent is what a message carries, as `im send` and `im group
// send` take it: a text, or a file to upload first.
type MessageContent struct {
	Text     string
	File     string // a path, or - for standard input
	Type     string // text, or image, voice, file for --file
	Name     string // the file's name as the recipient sees it
	Duration int    // seconds, voice only
}

func addContentFlags(cmd *cobra.Command, m *MessageContent) {
	fl := cmd.Flags()
	fl.StringVar(&m.Text, "text", "", "send a text message with this `TEXT`")
	fl.StringVar(&m.File, "file", "", "send the file at `PATH` (- for standard input)")
	fl.StringVar(&m.Type, "type", "", "with --file, the message `TYPE`: file (default), image or voice")
	fl.StringVar(&m.Name, "name", "", "with --file, the file `NAME` the recipient sees (default: the file's base name)")
	fl.IntVar(&m.Duration, "duration", 0, "with --type voice, the length in `SECONDS`")
	cmd.MarkFlagsOneRequired("text", "file")
	cmd.MarkFlagsMutuallyExclusive("text", "file")
}

// NewCmdSend returns `imictl im send`.
func NewCmdSend(f *cmdutil.Factory, runF func(*SendOptions) error) *cobra.Command {
	opts := &SendOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "send --from USER --to RECIPIENT (--text TEXT | --file PATH [--type file|image|voice] [--name NAME] [--duration SECONDS])",
		Short: "Send a message or a file as a local user",
		Long: `Send a message from the local user USER to RECIPIENT: user@serverId,
user@host:port, or another local user's id. The command returns once the
message is durable (queued for the recipient's server, or in a local inbox);
the server then delivers it in order, retrying while the peer is away
("imictl im outbox" shows what waits).

With --file the file is uploaded first (streamed; - reads standard input,
then give --name) and sent as a file, image or voice message; the
recipient's server downloads it from this one when its user asks for it.`,
		Example: `  imictl im send --from alice --to bob@second --text "hello"
  imictl im send --from alice --to bob@127.0.0.1:8442 --file report.pdf
  imictl im send --from alice --to carol --file hello.amr --type voice --duration 4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prepare(f, cmd)
			if err := validateSend(opts, cmd.Flags().Changed("type")); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return sendRun(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.From, "from", "", "the sending local `USER`")
	fl.StringVar(&opts.To, "to", "", "the `RECIPIENT`: user@serverId, user@host:port or a local user")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	addContentFlags(cmd, &opts.MessageContent)
	opts.addFlags(cmd)
	return cmd
}

func validateSend(opts *SendOptions, typeGiven bool) error {
	if err := checkLocalUser("--from", opts.From); err != nil {
		return err
	}
	if err := checkRecipient("--to", opts.To); err != nil {
		return err
	}
	return opts.validate(typeGiven)
}

// validate checks the content flags and fills in the type and name.
func (m *MessageContent) validate(typeGiven bool) error {
	if m.Text != "" {
		if typeGiven && m.Type != wire.MessageText || m.Name != "" || m.Duration != 0 {
			return cmdutil.UsageError("--type, --name and --duration go with --file, not --text")
		}
		m.Type = wire.MessageText
		return nil
	}
	m.Type = strings.ToLower(m.Type)
	switch m.Type {
	case "":
		m.Type = wire.MessageFile
	case wire.MessageFile, wire.MessageImage, wire.MessageVoice:
	default:
		return cmdutil.UsageError("--type %q: want file, image or voice", m.Type)
	}
	if m.Duration < 0 || m.Duration != 0 && m.Type != wire.MessageVoice {
		return cmdutil.UsageError("--duration is the length of a voice message in seconds (--type voice)")
	}
	if m.Name == "" {
		if m.File == cmdutil.Stdio {
			return cmdutil.UsageError("a file read from standard input needs --name")
		}
		m.Name = filepath.Base(m.File)
	}
	return nil
}

// checkRecipient accepts a local user's id or a user of another server.
func checkRecipient(flag, id string) error {
	if strings.Contains(id, "@") {
		if _, err := wire.ParseAddress(id); err != nil {
			return cmdutil.UsageError("%s %q: %v", flag, id, err)
		}
		return nil
	}
	if err := imstore.CheckUserID(id); err != nil {
		return cmdutil.UsageError("%s %q: want user@serverId, user@host:port or a local user's id", flag, id)
	}
	return nil
}

func sendRun(cmd *cobra.Command, opts *SendOptions) error {
	c := opts.Client()
	defer c.Close()
	ctx := cmd.Context()
	var sent imstore.SentMessage
	var err error
	if opts.Type == wire.MessageText {
		sent, err = c.SendText(ctx, opts.From, opts.To, opts.Text)
	} else {
		in, closeIn, ferr := opts.open(opts.IO.In)
		if ferr != nil {
			return ferr
		}
		defer closeIn()
		sent, err = c.SendFile(ctx, opts.From, opts.To, opts.Type, opts.Name, in, opts.Duration)
	}
	if err != nil {
		return opts.fail(err)
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: sent, Details: sentDetails(sent)})
}

// open opens the file to send: --file, or stdin for -.
func (m *MessageContent) open(stdin io.Reader) (io.Reader, func(), error) {
	if m.File == cmdutil.Stdio {
		return stdin, func() {}, nil
	}
	file, err := os.Open(m.File)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the file to send: %w", err)
	}
	return file, func() { file.Close() }, nil
}

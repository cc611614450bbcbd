package im

import (
	"fmt"
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
	From, To string
	Text     string
	File     string // a path, or - for standard input
	Type     string // text, or image, voice, file for --file
	Name     string // the file's name as the recipient sees it
	Duration int    // seconds, voice only
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
	fl.StringVar(&opts.Text, "text", "", "send a text message with this `TEXT`")
	fl.StringVar(&opts.File, "file", "", "send the file at `PATH` (- for standard input)")
	fl.StringVar(&opts.Type, "type", "", "with --file, the message `TYPE`: file (default), image or voice")
	fl.StringVar(&opts.Name, "name", "", "with --file, the file `NAME` the recipient sees (default: the file's base name)")
	fl.IntVar(&opts.Duration, "duration", 0, "with --type voice, the length in `SECONDS`")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	cmd.MarkFlagsOneRequired("text", "file")
	cmd.MarkFlagsMutuallyExclusive("text", "file")
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
	if opts.Text != "" {
		if typeGiven && opts.Type != wire.MessageText || opts.Name != "" || opts.Duration != 0 {
			return cmdutil.UsageError("--type, --name and --duration go with --file, not --text")
		}
		opts.Type = wire.MessageText
		return nil
	}
	opts.Type = strings.ToLower(opts.Type)
	switch opts.Type {
	case "":
		opts.Type = wire.MessageFile
	case wire.MessageFile, wire.MessageImage, wire.MessageVoice:
	default:
		return cmdutil.UsageError("--type %q: want file, image or voice", opts.Type)
	}
	if opts.Duration < 0 || opts.Duration != 0 && opts.Type != wire.MessageVoice {
		return cmdutil.UsageError("--duration is the length of a voice message in seconds (--type voice)")
	}
	if opts.Name == "" {
		if opts.File == cmdutil.Stdio {
			return cmdutil.UsageError("a file read from standard input needs --name")
		}
		opts.Name = filepath.Base(opts.File)
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
		in := opts.IO.In
		if opts.File != cmdutil.Stdio {
			file, ferr := os.Open(opts.File)
			if ferr != nil {
				return fmt.Errorf("cannot read the file to send: %w", ferr)
			}
			defer file.Close()
			in = file
		}
		sent, err = c.SendFile(ctx, opts.From, opts.To, opts.Type, opts.Name, in, opts.Duration)
	}
	if err != nil {
		return opts.fail(err)
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: sent, Details: sentDetails(sent)})
}

package im

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

func newCmdFile(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("file", "Get the files of a local user's messages")
	cmd.AddCommand(NewCmdFileGet(f, nil))
	return cmd
}

// FileGetOptions are the inputs of `imictl im file get`.
type FileGetOptions struct {
	Options
	FileID string
	User   string
	Out    string
	Force  bool
}

// NewCmdFileGet returns `imictl im file get`.
func NewCmdFileGet(f *cmdutil.Factory, runF func(*FileGetOptions) error) *cobra.Command {
	opts := &FileGetOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "get FILEID --user USER --out FILE",
		Short: "Save the file of a message the local user received or sent",
		Long: `Save the file FILEID, carried by a message the local user USER received or
sent, to FILE. A file from another server is downloaded from its origin the
first time (S2, signed both ways), checked against the size and md5 its
message announced, and kept by this server for later requests. The bytes
are checked against that md5 once more on the way to FILE, which is written
only when they match (--out - streams to standard output instead: discard
the output if the command fails).`,
		Example: `  imictl im file get 9a1f...@first --user bob --data-dir ./second --out report.pdf`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.FileID = args[0]
			opts.prepare(f, cmd)
			if _, err := wire.ParseAddress(opts.FileID); err != nil {
				return cmdutil.UsageError("FILEID %q: %v", opts.FileID, err)
			}
			if err := checkLocalUser("--user", opts.User); err != nil {
				return err
			}
			if opts.Out == cmdutil.Stdio && cmd.Flag(cmdutil.OutputFlag).Changed {
				return cmdutil.UsageError("with --out - the file itself is the output: drop -o")
			}
			if runF != nil {
				return runF(opts)
			}
			return fileGetRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.User, "user", "", "the local `USER` whose message carries the file")
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the file to `FILE` (- for standard output)")
	cmdutil.AddForceFlag(cmd, &opts.Force)
	_ = cmd.MarkFlagRequired("user")
	_ = cmd.MarkFlagRequired("out")
	opts.addFlags(cmd)
	return cmd
}

// savedFile is the JSON form of a file saved.
type savedFile struct {
	FileID    string `json:"fileID"`
	MessageID string `json:"messageID"`
	Name      string `json:"name"`
	Size      int64  `json:"size"`
	MD5       string `json:"md5"`
	Out       string `json:"out"`
}

func fileGetRun(cmd *cobra.Command, opts *FileGetOptions) error {
	if opts.Out != cmdutil.Stdio && !opts.Force {
		if _, err := os.Lstat(opts.Out); err == nil {
			return fmt.Errorf("%s already exists: pass --force to overwrite it", opts.Out)
		}
	}
	c := opts.Client()
	defer c.Close()
	ctx := cmd.Context()
	msg, err := messageWithFile(ctx, c, opts.User, opts.FileID)
	if err != nil {
		return opts.fail(err)
	}
	var info adminclient.FileInfo
	if opts.Out == cmdutil.Stdio {
		info, err = c.FetchFile(ctx, opts.User, msg.MessageID, opts.IO.Out)
		if err == nil {
			err = checkAnnounced(msg, info)
		}
		if err != nil && info.Size > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "Warning: the %d bytes written to standard output are not the file announced: discard them.\n", info.Size)
		}
	} else {
		info, err = saveFile(ctx, c, opts, msg)
	}
	if err != nil {
		return opts.fail(err)
	}
	if opts.Out == cmdutil.Stdio {
		fmt.Fprintf(opts.IO.ErrOut, "Wrote %s (%d bytes, md5 %s).\n", output.EscapeControl(info.Name), info.Size, info.MD5)
		return nil
	}
	res := savedFile{FileID: info.FileID, MessageID: msg.MessageID, Name: info.Name, Size: info.Size, MD5: info.MD5, Out: opts.Out}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: res, Details: []output.Field{
		{Key: "File ID", Value: res.FileID}, {Key: "Message ID", Value: res.MessageID}, {Key: "Name", Value: res.Name},
		{Key: "Size", Value: strconv.FormatInt(res.Size, 10)}, {Key: "MD5", Value: res.MD5}, {Key: "Saved to", Value: res.Out},
	}})
}

// messageWithFile finds the message of user that carries fileID: one
// received, else one sent.
func messageWithFile(ctx context.Context, c *adminclient.Client, user, fileID string) (imstore.Message, error) {
	inbox, err := c.Inbox(ctx, user, 0, 0)
	if err != nil {
		return imstore.Message{}, err
	}
	for i := len(inbox) - 1; i >= 0; i-- {
		if inbox[i].FileID == fileID {
			return inbox[i].Message, nil
		}
	}
	sent, err := c.Sent(ctx, user, 0, 0)
	if err != nil {
		return imstore.Message{}, err
	}
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].FileID == fileID {
			return sent[i].Message, nil
		}
	}
	return imstore.Message{}, cmdutil.NotFoundError("no message of %s carries the file %s: see imictl im inbox %s", user, fileID, user)
}

// checkAnnounced compares what was received with the size and md5 the
// message announced.
func checkAnnounced(m imstore.Message, got adminclient.FileInfo) error {
	var c struct {
		Size string `json:"size"`
		MD5  string `json:"md5"`
	}
	if err := json.Unmarshal(m.Content, &c); err != nil {
		return fmt.Errorf("message %s: unreadable content: %w", m.MessageID, err)
	}
	if c.MD5 != "" && c.MD5 != got.MD5 || c.Size != "" && c.Size != strconv.FormatInt(got.Size, 10) {
		return fmt.Errorf("the file received (%d bytes, md5 %s) is not the one message %s announced (%s bytes, md5 %s); nothing was kept",
			got.Size, got.MD5, m.MessageID, c.Size, c.MD5)
	}
	return nil
}

// saveFile streams the file into a temporary file beside opts.Out and
// moves it into place only once its size and md5 are those announced.
func saveFile(ctx context.Context, c *adminclient.Client, opts *FileGetOptions, m imstore.Message) (info adminclient.FileInfo, err error) {
	err = cmdutil.WriteFileFrom(opts.Out, 0o644, opts.Force, func(w io.Writer) error {
		if info, err = c.FetchFile(ctx, opts.User, m.MessageID, w); err != nil {
			return err
		}
		return checkAnnounced(m, info)
	})
	return info, err
}

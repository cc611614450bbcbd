package sns

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
)

// DownloadOptions are the inputs of `imictl sns download`.
type DownloadOptions struct {
	Options
	FileID  string
	Out     string
	MaxSize int64
	MD5     string
	Force   bool
}

// defaultMaxDownload bounds a download unless --max-size says otherwise.
const defaultMaxDownload = 1 << 30

// NewCmdDownload returns `imictl sns download` (S2).
func NewCmdDownload(f *cmdutil.Factory, runF func(*DownloadOptions) error) *cobra.Command {
	opts := &DownloadOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "download FILEID --out FILE [--md5 HEX]",
		Short: "Download a file from its server (S2, GET /sns/download/file)",
		Long: `Download the file FILEID (xxx@serverId) from the server that holds it,
streaming it to FILE. The file is kept only once its signed digest
verified; with --md5 (the md5 of the message) it must match too. With --out -
it goes to standard output as it arrives: if the download then fails, what
was written is not authenticated and must be discarded.`,
		Example: `  imictl sns download f1@beta-im --out report.pdf --md5 0cc175b9c0f1b6a831c399e269772661`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.FileID = args[0]
			if err := opts.prepareFor(f, cmd, "FILEID", opts.FileID); err != nil {
				return err
			}
			opts.MD5 = strings.ToLower(opts.MD5)
			if opts.MD5 != "" && !isMD5(opts.MD5) {
				return cmdutil.UsageError("--md5 %q: want 32 hex digits", opts.MD5)
			}
			if opts.MaxSize < 0 {
				return cmdutil.UsageError("--max-size must be 0 (no limit) or positive")
			}
			if opts.Out == cmdutil.Stdio && cmd.Flag(cmdutil.OutputFlag).Changed {
				return cmdutil.UsageError("with --out - the file itself is the output: drop -o")
			}
			if runF != nil {
				return runF(opts)
			}
			return downloadRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the file to `FILE` (- for standard output)")
	cmd.Flags().Int64Var(&opts.MaxSize, "max-size", defaultMaxDownload, "refuse a file larger than `BYTES` (0: no limit)")
	cmd.Flags().StringVar(&opts.MD5, "md5", "", "the file's expected MD5 in `HEX`, from its message")
	cmdutil.AddForceFlag(cmd, &opts.Force)
	_ = cmd.MarkFlagRequired("out")
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func isMD5(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// downloaded is the JSON form of a finished download.
type downloaded struct {
	FileID      string `json:"fileId"`
	Peer        string `json:"peer"`
	Size        int64  `json:"size"`
	MD5         string `json:"md5"`
	ContentType string `json:"contentType"`
	Out         string `json:"out"`
}

func downloadRun(cmd *cobra.Command, opts *DownloadOptions) error {
	if opts.Out != cmdutil.Stdio && !opts.Force {
		if _, err := os.Lstat(opts.Out); err == nil {
			return fmt.Errorf("%s already exists: pass --force to overwrite it", opts.Out)
		}
	}
	s, err := opts.Connect(cmd.Context(), opts.FileID)
	if err != nil {
		return err
	}
	var raw *client.RawResponse
	var d client.Downloaded
	if opts.Out == cmdutil.Stdio {
		d, err = s.client.Download(cmd.Context(), s.peer, opts.FileID, opts.IO.Out, opts.MaxSize, client.Raw(&raw))
		if err == nil {
			err = checkMD5(opts.MD5, d.MD5)
		}
		if err != nil && d.Size > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "Warning: the %d bytes written to standard output are not authenticated: discard them.\n", d.Size)
		}
	} else {
		d, err = downloadToFile(cmd, s, opts, &raw)
	}
	if err != nil {
		return report(opts.IO, opts.Format, raw, err, nil)
	}
	if opts.Out == cmdutil.Stdio {
		fmt.Fprintf(opts.IO.ErrOut, "Downloaded %d bytes from %s, md5 %s.\n", d.Size, d.Peer, d.MD5)
		return nil
	}
	res := downloaded{FileID: opts.FileID, Peer: d.Peer, Size: d.Size, MD5: d.MD5, ContentType: d.ContentType, Out: opts.Out}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: res, Details: []output.Field{
		{Key: "File ID", Value: res.FileID}, {Key: "Peer", Value: res.Peer}, {Key: "Size", Value: strconv.FormatInt(res.Size, 10)},
		{Key: "MD5", Value: res.MD5}, {Key: "Content type", Value: res.ContentType}, {Key: "Saved to", Value: res.Out},
	}})
}

// downloadToFile streams into a temporary file beside opts.Out and moves it
// into place only once it is authenticated and its md5 matches.
func downloadToFile(cmd *cobra.Command, s *session, opts *DownloadOptions, raw **client.RawResponse) (d client.Downloaded, err error) {
	err = cmdutil.WriteFileFrom(opts.Out, 0o644, opts.Force, func(w io.Writer) error {
		if d, err = s.client.Download(cmd.Context(), s.peer, opts.FileID, w, opts.MaxSize, client.Raw(raw)); err != nil {
			return err
		}
		return checkMD5(opts.MD5, d.MD5)
	})
	return d, err
}

func checkMD5(want, got string) error {
	if want != "" && want != got {
		return fmt.Errorf("the file's md5 is %s, not %s as expected: it is not the file the message announced; nothing was kept", got, want)
	}
	return nil
}

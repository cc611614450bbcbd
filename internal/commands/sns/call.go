package sns

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
)

// CallOptions are the inputs of `imictl sns call`.
type CallOptions struct {
	Options
	Method string
	Path   string
	Data   string // --data as given
	Raw    bool   // --raw: send Data's bytes whether JSON or not
	Body   []byte // the request body, nil for none
}

// maxCallBody bounds --data: more than any peer should accept (the
// reference IM server takes 1 MiB), so that a peer's limit can be tested.
const maxCallBody = 16 << 20

// NewCmdCall returns `imictl sns call`, the raw escape hatch.
func NewCmdCall(f *cmdutil.Factory, runF func(*CallOptions) error) *cobra.Command {
	opts := &CallOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "call METHOD PATH [--data JSON|@FILE|@-] [--raw] (--to SERVERID | --url URL)",
		Short: "Send any signed request to a peer and show the authenticated answer",
		Long: `Send METHOD PATH to the peer, signed as your server, and print the
authenticated answer: the JSON as received (-o json, the default; -o yaml;
-o table for status, peer and body), or any other body as is.

PATH is relative to the interface prefix ("chat", "find/users?queryStr=ann")
or, starting with "/", the whole path ("/sns/v1/chat"); put the query in it,
percent-encoded. --data is the JSON body, read from FILE with @FILE or from
standard input with @-; it must be valid JSON, as every interconnection
body is, unless --raw is given. The body is sent as given (no re-encoding),
so it can test how a peer reads the standard's odd spellings; with --raw,
any bytes at all (truncated JSON, another encoding, binary), still signed
with their Content-Digest, to see how a peer refuses them.

The exit code is 0 for code 0, 1 when the peer refused the call (the answer
is printed all the same), 4 when authentication failed.`,
		Example: `  imictl sns call GET 'users?userID=13500001111%40beta-im' --to beta-im
  imictl sns call POST chat --data @message.json --url http://127.0.0.1:8441 -v
  imictl sns call POST chat --raw --data @truncated.bin --to beta-im`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Method, opts.Path = strings.ToUpper(args[0]), args[1]
			if err := opts.prepare(f, cmd); err != nil {
				return err
			}
			if err := validateCall(f, opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return callRun(cmd, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Data, "data", "d", "", "the JSON body: `JSON`, @FILE or @- (standard input)")
	cmd.Flags().BoolVar(&opts.Raw, "raw", false, "send the bytes of --data exactly, whether they are JSON or not")
	cmdutil.SetOutputFormats(cmd, output.JSON)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func validateCall(f *cmdutil.Factory, opts *CallOptions) error {
	for _, c := range opts.Method {
		if c < 'A' || c > 'Z' {
			return cmdutil.UsageError("METHOD %q: want an HTTP method such as GET or POST", opts.Method)
		}
	}
	if opts.Path == "" || strings.ContainsAny(opts.Path, " \t\r\n#") {
		return cmdutil.UsageError("PATH %q: want a path such as chat or /sns/users?userID=u%%40beta-im (percent-encode spaces)", opts.Path)
	}
	if opts.Data == "" {
		if opts.Raw {
			return cmdutil.UsageError("--raw sends the bytes of --data: give --data as well")
		}
		return nil
	}
	data := []byte(opts.Data)
	if name, ok := strings.CutPrefix(opts.Data, "@"); ok {
		var err error
		if data, err = cmdutil.ReadInput(f.IOStreams, name, maxCallBody); err != nil {
			return err
		}
	}
	if !opts.Raw && !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		return cmdutil.UsageError("--data is not valid JSON: %v (add --raw to send it all the same)", err)
	}
	opts.Body = data
	return nil
}

// callResult is the table form of an answer.
func callView(raw *client.RawResponse) output.View {
	return output.View{Details: []output.Field{
		{Key: "Peer", Value: raw.Peer},
		{Key: "Status", Value: strconv.Itoa(raw.Status) + " " + http.StatusText(raw.Status)},
		{Key: "Content type", Value: raw.Header.Get("Content-Type")},
		{Key: "Body", Value: string(raw.Body)},
	}}
}

func callRun(cmd *cobra.Command, opts *CallOptions) error {
	s, err := opts.Connect(cmd.Context(), "")
	if err != nil {
		return err
	}
	raw, err := s.client.Call(cmd.Context(), s.peer, opts.Method, opts.Path, opts.Body)
	if raw == nil {
		return mapError(err)
	}
	switch {
	case opts.Format == output.Table:
		if perr := output.Print(opts.IO.Out, opts.Format, callView(raw)); perr != nil {
			return perr
		}
	case raw.JSON:
		if perr := printRaw(opts.IO, opts.Format, raw); perr != nil {
			return perr
		}
	default: // a file, say: as is
		if _, perr := opts.IO.Out.Write(raw.Body); perr != nil {
			return fmt.Errorf("writing the answer: %w", perr)
		}
	}
	if err != nil {
		return mapError(err)
	}
	return nil
}

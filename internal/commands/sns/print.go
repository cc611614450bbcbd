package sns

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// report prints the outcome of a typed call: with -o json or yaml the
// peer's answer exactly as received (parsed, so re-indented), with the
// table format table(). A refused call is printed too (for scripts reading
// its reason) and returned with its exit code.
func report(ios *iostreams.IOStreams, format output.Format, raw *client.RawResponse, err error, table func() output.View) error {
	if err != nil {
		var apiErr *client.APIError
		if errors.As(err, &apiErr) && raw != nil && raw.JSON && format != output.Table {
			if perr := printRaw(ios, format, raw); perr != nil {
				return perr
			}
		}
		return mapError(err)
	}
	if format != output.Table {
		return printRaw(ios, format, raw)
	}
	return output.Print(ios.Out, format, table())
}

func printRaw(ios *iostreams.IOStreams, format output.Format, raw *client.RawResponse) error {
	return output.Print(ios.Out, format, output.View{Data: json.RawMessage(raw.Body)})
}

// envelopeCall connects to the peer (the server of aboutID unless --to or
// --url), makes call with the option that records the exchange, and
// reports the answer, only an envelope.
func envelopeCall(cmd *cobra.Command, o *Options, aboutID string, call func(ctx context.Context, s *session, raw client.CallOption) error) error {
	s, err := o.Connect(cmd.Context(), aboutID)
	if err != nil {
		return err
	}
	var raw *client.RawResponse
	err = call(cmd.Context(), s, client.Raw(&raw))
	return report(o.IO, o.Format, raw, err, func() output.View { return okView(raw) })
}

// okView is the table of a call whose answer is only the envelope.
func okView(raw *client.RawResponse, fields ...output.Field) output.View {
	return output.View{Details: append([]output.Field{{Key: "Peer", Value: raw.Peer}, {Key: "Result", Value: "ok (code 0)"}}, fields...)}
}

// userDetails shows a userInfo.
func userDetails(u wire.UserInfo) []output.Field {
	f := []output.Field{
		{Key: "User ID", Value: u.UserID},
		{Key: "Name", Value: u.Name},
		{Key: "Phone", Value: u.PhoneNumber},
		{Key: "Remark", Value: u.Remark},
		{Key: "Portrait", Value: u.Portrait},
	}
	if u.UpdateTime != 0 {
		f = append(f, output.Field{Key: "Updated (ms)", Value: strconv.FormatInt(u.UpdateTime, 10)})
	}
	return f
}

// yesNo shows the standard's 1/2 enumerations.
func yesNo(v int) string {
	switch v {
	case wire.Yes:
		return "yes (1)"
	case wire.No:
		return "no (2)"
	}
	return "unknown (" + strconv.Itoa(v) + ")"
}

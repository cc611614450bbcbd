package sns

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/output"
)

// maxTracedBody is how much of a body --verbose shows.
const maxTracedBody = 64 << 10

// Tracer writes every exchange, curl -v style, for --verbose: what a vendor
// needs to see why a call fails. It shows headers and bodies, never a key
// (the key signs; it is not sent). imictl probe uses it too.
type Tracer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewTracer writes to w (standard error).
func NewTracer(w io.Writer) *Tracer { return &Tracer{w: w} }

// Identity says who signs and whom it trusts.
func (t *Tracer) Identity(id *identity.Identity) {
	s := id.Settings
	ctx := ""
	if id.Context != "" {
		ctx = fmt.Sprintf(" (context %q)", id.Context)
	}
	fmt.Fprintf(t.w, "* signing as %s%s with key %s, certificate %s; trusting root %s\n", id.ServerID, ctx, s.Key, s.Cert, s.Root)
	if id.MgmtURL != "" {
		fmt.Fprintf(t.w, "* management server %s\n", id.MgmtURL)
	}
}

// Trace writes one exchange; its signature is that of the sns and mgmt
// clients' TraceFunc.
func (t *Tracer) Trace(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "> %s %s\n", req.Method, output.EscapeControl(req.URL.String()))
	writeHeaders(t.w, "> ", req.Header)
	writeBody(t.w, "> ", reqBody, req.ContentLength)
	if resp == nil {
		fmt.Fprintln(t.w, "* no answer")
		return
	}
	fmt.Fprintf(t.w, "< %s %s\n", resp.Proto, resp.Status)
	writeHeaders(t.w, "< ", resp.Header)
	if respBody == nil && resp.ContentLength != 0 {
		fmt.Fprintf(t.w, "< [body streamed, %d bytes declared]\n", resp.ContentLength)
		return
	}
	writeBody(t.w, "< ", respBody, int64(len(respBody)))
}

func writeHeaders(w io.Writer, prefix string, h http.Header) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range h[k] {
			fmt.Fprintf(w, "%s%s: %s\n", prefix, k, output.EscapeControl(v))
		}
	}
	fmt.Fprintln(w, strings.TrimSpace(prefix))
}

func writeBody(w io.Writer, prefix string, body []byte, n int64) {
	switch {
	case len(body) == 0:
		return
	case !utf8.Valid(body):
		fmt.Fprintf(w, "%s[%d bytes of binary data]\n", prefix, n)
		return
	}
	cut := ""
	if len(body) > maxTracedBody {
		body, cut = body[:maxTracedBody], fmt.Sprintf(" [... %d bytes in all]", n)
	}
	for line := range strings.SplitSeq(string(body), "\n") {
		fmt.Fprintf(w, "%s%s\n", prefix, output.EscapeControl(line))
	}
	if cut != "" {
		fmt.Fprintf(w, "%s%s\n", prefix, cut)
	}
}

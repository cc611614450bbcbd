package conformance

import (
	"fmt"
	"strings"

	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/conformance"
)

// printer shows the results: in a table, one line per case as it ends,
// then the summary; in JSON or YAML, the whole report at the end.
type printer struct {
	io     *iostreams.IOStreams
	format output.Format
	width  int // of the id column
}

func newPrinter(ios *iostreams.IOStreams, format output.Format) *printer {
	p := &printer{io: ios, format: format}
	for _, c := range conformance.Cases() {
		p.width = max(p.width, len(c.ID))
	}
	return p
}

// result prints one case's line: status, id, what a conforming server
// does, and for a failure or a skip, why.
func (p *printer) result(r conformance.Result) {
	if p.format != output.Table {
		return
	}
	line := fmt.Sprintf("%-4s  %-*s  %s", r.Status, p.width, r.ID, r.Title)
	if r.Detail != "" {
		line += ": " + r.Detail
	}
	fmt.Fprintln(p.io.Out, output.EscapeControl(line))
}

// report prints the end of the run.
func (p *printer) report(rep *conformance.Report) error {
	if p.format == output.Table {
		_, err := fmt.Fprintf(p.io.Out, "\n%s (target %s at %s, signed as %s)\n", rep.Summary(), rep.Target.ServerID, rep.Target.BaseURL, rep.Caller)
		return err
	}
	return output.Print(p.io.Out, p.format, output.View{Data: rep})
}

// caseInfo is a case as --list shows it.
type caseInfo struct {
	ID    string   `json:"id"`
	Area  string   `json:"area"`
	Needs []string `json:"needs"`
	Title string   `json:"title"`
}

func printCases(ios *iostreams.IOStreams, format output.Format, cases []conformance.Case) error {
	infos := make([]caseInfo, 0, len(cases))
	rows := make([][]string, 0, len(cases))
	for _, c := range cases {
		ci := caseInfo{ID: c.ID, Area: c.Area, Needs: []string{}, Title: c.Title}
		for _, n := range c.Needs {
			ci.Needs = append(ci.Needs, string(n))
		}
		infos = append(infos, ci)
		rows = append(rows, []string{c.ID, c.Area, strings.Join(ci.Needs, ","), c.Title})
	}
	return output.Print(ios.Out, format, output.View{Data: infos, Headers: []string{"id", "area", "needs", "title"}, Rows: rows})
}

package probe

import (
	"fmt"

	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/probe"
)

// report is the JSON and YAML form: the probe's report and the exit code.
type report struct {
	*probe.Report
	ExitCode int `json:"exitCode"`
}

// print shows the report: one line per check, then what to do about each
// warning and failure.
func print(o *Options, rep *probe.Report, code int) error {
	if o.Format != output.Table {
		return output.Print(o.IO.Out, o.Format, output.View{Data: report{rep, code}})
	}
	v := output.View{Headers: []string{"Status", "Check", "Finding"}}
	for _, c := range rep.Checks {
		v.Rows = append(v.Rows, []string{string(c.Status), c.ID, c.Finding})
	}
	if err := output.Print(o.IO.Out, o.Format, v); err != nil {
		return err
	}
	var next []string
	for _, c := range rep.Checks {
		if c.Next != "" {
			next = append(next, fmt.Sprintf("  %s: %s", c.ID, output.EscapeControl(c.Next)))
		}
	}
	fmt.Fprintf(o.IO.Out, "\n%s: %s\n", target(rep), rep.Result)
	if len(next) > 0 {
		fmt.Fprintln(o.IO.Out, "Next:")
		for _, n := range next {
			fmt.Fprintln(o.IO.Out, n)
		}
	}
	return nil
}

func target(rep *probe.Report) string {
	name := rep.Target
	if rep.Kind == probe.KindMgmt {
		name = "management server " + rep.Target
	}
	return output.EscapeControl(name)
}

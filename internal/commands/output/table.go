package output

import (
	"bytes"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// TablePrinter prints kubectl-style columns: no borders, upper-case headers,
// left-aligned cells three spaces apart, no trailing spaces, no wrapping
// and control characters escaped (so that grep and cut see one line per
// item). A View without Headers is printed as "Key: value" lines with the
// values aligned.
type TablePrinter struct{}

// Print implements Printer.
func (TablePrinter) Print(w io.Writer, v View) error {
	if v.Headers == nil {
		rows := make([][]string, len(v.Details))
		for i, f := range v.Details {
			rows[i] = []string{EscapeControl(f.Key) + ":", EscapeControl(f.Value)}
		}
		return renderColumns(w, nil, rows)
	}
	headers := make([]string, len(v.Headers))
	for i, h := range v.Headers {
		headers[i] = strings.ToUpper(EscapeControl(h))
	}
	rows := make([][]string, len(v.Rows))
	for i, row := range v.Rows {
		rows[i] = make([]string, len(row))
		for j, c := range row {
			rows[i][j] = EscapeControl(c)
		}
	}
	return renderColumns(w, headers, rows)
}

func renderColumns(w io.Writer, headers []string, rows [][]string) error {
	if len(headers) == 0 && len(rows) == 0 {
		return nil
	}
	cell := tw.CellConfig{
		Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
		Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
		Padding:    tw.CellPadding{Global: tw.Padding{Left: "", Right: "   ", Overwrite: true}},
	}
	var buf bytes.Buffer
	table := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowTop: tw.Off, ShowBottom: tw.Off, ShowHeaderLine: tw.Off, ShowFooterLine: tw.Off},
			},
		})),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithHeaderConfig(cell),
		tablewriter.WithRowConfig(cell),
	)
	if len(headers) > 0 {
		table.Header(headers)
	}
	if err := table.Bulk(rows); err != nil {
		return err
	}
	if err := table.Render(); err != nil {
		return err
	}
	// The last column is padded like the others; trim it line by line.
	lines := strings.SplitAfter(buf.String(), "\n")
	var out strings.Builder
	for _, l := range lines {
		if l == "" {
			continue
		}
		out.WriteString(strings.TrimRight(l, " \n"))
		out.WriteByte('\n')
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// Package output prints a command's result as a table, JSON or YAML.
//
// A command builds one View: Data (marshalled for json and yaml; give its
// struct fields stable json tags, they are the scripting contract) and either
// Headers+Rows (a list) or Details (one object as key/value lines) for the
// table format. Print picks the printer for the format the user chose with
// -o/--output; cmdutil validates that flag before the command runs.
package output

import (
	"fmt"
	"io"
)

// Format is a value of -o/--output.
type Format string

// The formats every command supports. Commands may add their own (cert
// inspect adds "text" and "pem") and handle those before calling Print.
const (
	Table Format = "table"
	JSON  Format = "json"
	YAML  Format = "yaml"
)

// Extra formats some commands add (SetOutputFormats), named once so that
// "pem" and "text" mean the same everywhere: the object itself in PEM, and
// OpenSSL-like text.
const (
	PEM  Format = "pem"
	Text Format = "text"
)

// Formats lists the formats every command supports, default first.
var Formats = []Format{Table, JSON, YAML}

// Field is one line of a details view.
type Field struct {
	Key   string
	Value string
}

// View is what a command hands to a printer.
type View struct {
	Data    any        // json and yaml: marshalled as is
	Headers []string   // table: column titles (shown upper-cased)
	Rows    [][]string // table: one row per item
	Details []Field    // table, for a single object: used when Headers is nil
}

// Printer writes a View in one format.
type Printer interface {
	Print(w io.Writer, v View) error
}

// NewPrinter returns the printer for f.
func NewPrinter(f Format) (Printer, error) {
	switch f {
	case Table:
		return TablePrinter{}, nil
	case JSON:
		return JSONPrinter{}, nil
	case YAML:
		return YAMLPrinter{}, nil
	}
	return nil, fmt.Errorf("output format %q has no printer: the command must handle it itself", f)
}

// Print writes v to w in format f.
func Print(w io.Writer, f Format, v View) error {
	p, err := NewPrinter(f)
	if err != nil {
		return err
	}
	return p.Print(w, v)
}

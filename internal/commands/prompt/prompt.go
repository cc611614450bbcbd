// Package prompt asks people for values on a terminal. Commands only reach it
// through cmdutil helpers, which check iostreams.CanPrompt first: without a
// terminal a missing value is a usage error, never a hang.
package prompt

import (
	"errors"
	"io"

	"github.com/charmbracelet/huh"
)

// ErrCancelled is returned when the person aborts a prompt (Ctrl-C, Esc).
// cmdutil.ExitCode maps it to exit code 3.
var ErrCancelled = errors.New("cancelled at the prompt")

// Prompter asks questions. A nil validate accepts anything.
type Prompter interface {
	Input(title, defaultValue string, validate func(string) error) (string, error)
	Password(title string) (string, error)
	Confirm(title string, defaultValue bool) (bool, error)
	Select(title string, options []string, defaultValue string) (string, error)
	// Form asks for several fields on one screen and stores the answers
	// through each Field.Value.
	Form(fields []Field) error
}

// Field is one question of a Form. Flag names the command-line flag that
// gives the same value: it is how usage errors and the scripted prompter refer
// to the field.
type Field struct {
	Flag     string
	Title    string
	Value    *string
	Secret   bool               // echo masked
	Options  []string           // non-empty: choose one of these
	Validate func(string) error // nil accepts anything
}

// Huh is the terminal Prompter, built on charmbracelet/huh.
type Huh struct {
	in         io.Reader
	out        io.Writer
	accessible bool
}

// NewHuh returns a Prompter drawing on out and reading keys from in.
// Accessible mode asks line by line without redrawing the screen (screen
// readers; huh's convention is the ACCESSIBLE environment variable).
func NewHuh(in io.Reader, out io.Writer, accessible bool) *Huh {
	return &Huh{in: in, out: out, accessible: accessible}
}

func (h *Huh) run(fields ...huh.Field) error {
	err := huh.NewForm(huh.NewGroup(fields...)).
		WithInput(h.in).
		WithOutput(h.out).
		WithAccessible(h.accessible).
		Run()
	if errors.Is(err, huh.ErrUserAborted) {
		return ErrCancelled
	}
	return err
}

func orAccept(validate func(string) error) func(string) error {
	if validate == nil {
		return func(string) error { return nil }
	}
	return validate
}

// Input asks for one line of text.
func (h *Huh) Input(title, defaultValue string, validate func(string) error) (string, error) {
	v := defaultValue
	err := h.run(huh.NewInput().Title(title).Value(&v).Validate(orAccept(validate)))
	return v, err
}

// Password asks for a secret without echoing it.
func (h *Huh) Password(title string) (string, error) {
	var v string
	err := h.run(huh.NewInput().Title(title).EchoMode(huh.EchoModePassword).Value(&v))
	return v, err
}

// Confirm asks a yes/no question.
func (h *Huh) Confirm(title string, defaultValue bool) (bool, error) {
	v := defaultValue
	err := h.run(huh.NewConfirm().Title(title).Value(&v))
	return v, err
}

// Select asks to choose one of options.
func (h *Huh) Select(title string, options []string, defaultValue string) (string, error) {
	v := defaultValue
	err := h.run(huh.NewSelect[string]().Title(title).Options(huh.NewOptions(options...)...).Value(&v))
	return v, err
}

// Form asks for all fields on one screen.
func (h *Huh) Form(fields []Field) error {
	hf := make([]huh.Field, 0, len(fields))
	for _, f := range fields {
		if len(f.Options) > 0 {
			hf = append(hf, huh.NewSelect[string]().Title(f.Title).Options(huh.NewOptions(f.Options...)...).Value(f.Value))
			continue
		}
		in := huh.NewInput().Title(f.Title).Value(f.Value).Validate(orAccept(f.Validate))
		if f.Secret {
			in = in.EchoMode(huh.EchoModePassword)
		}
		hf = append(hf, in)
	}
	return h.run(hf...)
}

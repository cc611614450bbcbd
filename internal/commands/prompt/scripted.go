package prompt

import (
	"fmt"
	"slices"
	"strconv"
)

// Answer is one scripted reply. Title must equal the question's title (or,
// for a Form field, its title or its flag name). Err, if set, is returned
// instead of a value (e.g. ErrCancelled to act out Ctrl-C).
type Answer struct {
	Title string
	Value string // Confirm: "yes" or "no"; Select: one of the options
	Err   error
}

// Scripted is a Prompter for tests: it replies with Answers in order and
// fails on any question it did not expect, so a test notices both a missing
// and an extra prompt. Call Done at the end to check nothing was left over.
type Scripted struct {
	Answers []Answer
	Asked   []string // titles asked, in order
}

// NewScripted returns a Prompter that replies with answers in order.
func NewScripted(answers ...Answer) *Scripted {
	return &Scripted{Answers: answers}
}

func (s *Scripted) next(title, flag string) (Answer, error) {
	s.Asked = append(s.Asked, title)
	if len(s.Answers) == 0 {
		return Answer{}, fmt.Errorf("scripted prompter: unexpected question %q", title)
	}
	a := s.Answers[0]
	if a.Title != title && (flag == "" || a.Title != flag) {
		return Answer{}, fmt.Errorf("scripted prompter: asked %q, script expected %q", title, a.Title)
	}
	s.Answers = s.Answers[1:]
	return a, a.Err
}

// Input replies with the next answer, checked by validate like a person's.
func (s *Scripted) Input(title, defaultValue string, validate func(string) error) (string, error) {
	a, err := s.next(title, "")
	if err != nil {
		return "", err
	}
	if err := orAccept(validate)(a.Value); err != nil {
		return "", fmt.Errorf("scripted prompter: answer %q to %q rejected: %w", a.Value, title, err)
	}
	return a.Value, nil
}

// Password replies with the next answer.
func (s *Scripted) Password(title string) (string, error) {
	a, err := s.next(title, "")
	return a.Value, err
}

// Confirm replies with the next answer, which must be "yes" or "no".
func (s *Scripted) Confirm(title string, defaultValue bool) (bool, error) {
	a, err := s.next(title, "")
	if err != nil {
		return false, err
	}
	switch a.Value {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, fmt.Errorf("scripted prompter: answer to confirmation %q must be yes or no, not %s", title, strconv.Quote(a.Value))
}

// Select replies with the next answer, which must be one of options.
func (s *Scripted) Select(title string, options []string, defaultValue string) (string, error) {
	a, err := s.next(title, "")
	if err != nil {
		return "", err
	}
	if !slices.Contains(options, a.Value) {
		return "", fmt.Errorf("scripted prompter: answer %q to %q is not one of %q", a.Value, title, options)
	}
	return a.Value, nil
}

// Form replies to each field in order.
func (s *Scripted) Form(fields []Field) error {
	for _, f := range fields {
		a, err := s.next(f.Title, f.Flag)
		if err != nil {
			return err
		}
		if err := orAccept(f.Validate)(a.Value); err != nil {
			return fmt.Errorf("scripted prompter: answer %q to %q rejected: %w", a.Value, f.Title, err)
		}
		if len(f.Options) > 0 && !slices.Contains(f.Options, a.Value) {
			return fmt.Errorf("scripted prompter: answer %q to %q is not one of %q", a.Value, f.Title, f.Options)
		}
		*f.Value = a.Value
	}
	return nil
}

// Done reports answers the command never asked for.
func (s *Scripted) Done() error {
	if len(s.Answers) > 0 {
		return fmt.Errorf("scripted prompter: %d answer(s) not used, next for %q", len(s.Answers), s.Answers[0].Title)
	}
	return nil
}

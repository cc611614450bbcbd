package prompt

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

// accessible runs the real huh prompter in accessible (line by line) mode on
// in-memory streams. huh reads each answer with a fresh scanner, so the
// input is fed one byte at a time to leave the next answers unread.
func accessible(input string) (*Huh, *bytes.Buffer) {
	var out bytes.Buffer
	return NewHuh(iotest.OneByteReader(strings.NewReader(input)), &out, true), &out
}

func TestHuhAccessible(t *testing.T) {
	t.Run("input with default", func(t *testing.T) {
		h, out := accessible("\n")
		got, err := h.Input("Server name", "Alpha", nil)
		if err != nil || got != "Alpha" {
			t.Fatalf("got %q, %v", got, err)
		}
		if !strings.Contains(out.String(), "Server name") {
			t.Errorf("prompt not shown: %q", out)
		}
	})
	t.Run("input revalidates", func(t *testing.T) {
		h, out := accessible("bad id\nS1\n")
		got, err := h.Input("Server id", "", func(s string) error {
			if strings.Contains(s, " ") {
				return errors.New("no spaces allowed")
			}
			return nil
		})
		if err != nil || got != "S1" {
			t.Fatalf("got %q, %v", got, err)
		}
		if !strings.Contains(out.String(), "no spaces allowed") {
			t.Errorf("validation message not shown: %q", out)
		}
	})
	t.Run("confirm", func(t *testing.T) {
		h, _ := accessible("y\n")
		if got, err := h.Confirm("Revoke?", false); err != nil || !got {
			t.Fatalf("got %v, %v", got, err)
		}
		h, _ = accessible("\n")
		if got, err := h.Confirm("Revoke?", false); err != nil || got {
			t.Fatalf("empty answer must take the default no: got %v, %v", got, err)
		}
	})
	t.Run("select", func(t *testing.T) {
		h, _ := accessible("2\n")
		got, err := h.Select("Type", []string{"enterprise", "government"}, "enterprise")
		if err != nil || got != "government" {
			t.Fatalf("got %q, %v", got, err)
		}
	})
	t.Run("form", func(t *testing.T) {
		h, _ := accessible("Alpha\n2\n")
		var name, typ string
		err := h.Form([]Field{
			{Flag: "name", Title: "Name", Value: &name},
			{Flag: "type", Title: "Type", Value: &typ, Options: []string{"1", "2"}},
		})
		if err != nil || name != "Alpha" || typ != "2" {
			t.Fatalf("name %q, type %q, err %v", name, typ, err)
		}
	})
}

func TestScripted(t *testing.T) {
	s := NewScripted(
		Answer{Title: "Name", Value: "A"},
		Answer{Title: "OK?", Value: "yes"},
		Answer{Title: "Pick", Value: "b"},
		Answer{Title: "Password", Value: "pw"},
		Answer{Title: "address", Value: "https://x"}, // by flag name
	)
	if v, err := s.Input("Name", "", nil); err != nil || v != "A" {
		t.Fatalf("Input: %q, %v", v, err)
	}
	if v, err := s.Confirm("OK?", false); err != nil || !v {
		t.Fatalf("Confirm: %v, %v", v, err)
	}
	if v, err := s.Select("Pick", []string{"a", "b"}, "a"); err != nil || v != "b" {
		t.Fatalf("Select: %q, %v", v, err)
	}
	if v, err := s.Password("Password"); err != nil || v != "pw" {
		t.Fatalf("Password: %q, %v", v, err)
	}
	var addr string
	if err := s.Form([]Field{{Flag: "address", Title: "Address", Value: &addr}}); err != nil || addr != "https://x" {
		t.Fatalf("Form: %q, %v", addr, err)
	}
	if err := s.Done(); err != nil {
		t.Fatal(err)
	}
	want := []string{"Name", "OK?", "Pick", "Password", "Address"}
	if strings.Join(s.Asked, "|") != strings.Join(want, "|") {
		t.Errorf("Asked = %q", s.Asked)
	}
}

func TestScriptedCatchesMistakes(t *testing.T) {
	tests := []struct {
		name    string
		answers []Answer
		ask     func(*Scripted) error
		wantErr string
	}{
		{"unexpected question", nil,
			func(s *Scripted) error { _, err := s.Input("Name", "", nil); return err },
			`scripted prompter: unexpected question "Name"`},
		{"wrong question", []Answer{{Title: "Other"}},
			func(s *Scripted) error { _, err := s.Input("Name", "", nil); return err },
			`scripted prompter: asked "Name", script expected "Other"`},
		{"confirm needs yes or no", []Answer{{Title: "OK?", Value: "y"}},
			func(s *Scripted) error { _, err := s.Confirm("OK?", false); return err },
			`scripted prompter: answer to confirmation "OK?" must be yes or no, not "y"`},
		{"select outside options", []Answer{{Title: "Pick", Value: "c"}},
			func(s *Scripted) error { _, err := s.Select("Pick", []string{"a", "b"}, ""); return err },
			`scripted prompter: answer "c" to "Pick" is not one of ["a" "b"]`},
		{"input validated", []Answer{{Title: "Name", Value: "bad"}},
			func(s *Scripted) error {
				_, err := s.Input("Name", "", func(string) error { return errors.New("nope") })
				return err
			},
			`scripted prompter: answer "bad" to "Name" rejected: nope`},
		{"form select outside options", []Answer{{Title: "Type", Value: "9"}},
			func(s *Scripted) error {
				var v string
				return s.Form([]Field{{Title: "Type", Value: &v, Options: []string{"1"}}})
			},
			`scripted prompter: answer "9" to "Type" is not one of ["1"]`},
		{"answer error", []Answer{{Title: "Name", Err: ErrCancelled}},
			func(s *Scripted) error { _, err := s.Input("Name", "", nil); return err },
			"cancelled at the prompt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.ask(NewScripted(tt.answers...))
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	s := NewScripted(Answer{Title: "Unused"})
	if err := s.Done(); err == nil || err.Error() != `scripted prompter: 1 answer(s) not used, next for "Unused"` {
		t.Fatalf("Done: %v", err)
	}
}

package cmdutil

import (
	"errors"
	"slices"
	"testing"

	"github.com/imictl/imictl/internal/commands/prompt"
)

func inputServerID(p prompt.Prompter) (string, error) { return p.Input("Server id", "", nil) }

func TestRequireValue(t *testing.T) {
	tests := []struct {
		name     string
		tty      bool
		noInput  bool
		current  string
		answers  []prompt.Answer
		want     string
		wantErr  string
		wantCode int
	}{
		{"flag given, no terminal", false, false, "S1", nil, "S1", "", 0},
		{"flag given, terminal: no question", true, false, "S1", nil, "S1", "", 0},
		{"missing, no terminal", false, false, "", nil, "", "--server-id is required (no terminal to ask for it)", ExitUsage},
		{"missing, --no-input", true, true, "", nil, "", "--server-id is required (no terminal to ask for it)", ExitUsage},
		{"missing, terminal", true, false, "", []prompt.Answer{{Title: "Server id", Value: "S2"}}, "S2", "", 0},
		{"empty answer", true, false, "", []prompt.Answer{{Title: "Server id", Value: ""}}, "", "--server-id is required", ExitUsage},
		{"ctrl-c", true, false, "", []prompt.Answer{{Title: "Server id", Err: prompt.ErrCancelled}}, "", "cancelled at the prompt", ExitCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prompt.NewScripted(tt.answers...)
			f, _, _ := testFactory(tt.tty, p, nil)
			f.IOStreams.SetNeverPrompt(tt.noInput)
			got, err := RequireValue(f, "server-id", tt.current, inputServerID)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || ExitCode(err) != tt.wantCode {
					t.Fatalf("err = %v (code %d), want %q (code %d)", err, ExitCode(err), tt.wantErr, tt.wantCode)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if err := p.Done(); err != nil {
				t.Error(err)
			}
		})
	}
}

func registrationFields(name, addr, typ *string) []prompt.Field {
	notX := func(s string) error {
		if s == "x" {
			return errors.New("x is not a name")
		}
		return nil
	}
	return []prompt.Field{
		{Flag: "name", Title: "Server name", Value: name, Validate: notX},
		{Flag: "address", Title: "Address", Value: addr},
		{Flag: "type", Title: "Type", Value: typ, Options: []string{"1", "2"}},
	}
}

func TestFillMissing(t *testing.T) {
	tests := []struct {
		name      string
		tty       bool
		given     [3]string
		answers   []prompt.Answer
		want      [3]string
		wantErr   string
		wantCode  int
		wantAsked []string
	}{
		{"all given", false, [3]string{"A", "B", "1"}, nil, [3]string{"A", "B", "1"}, "", 0, nil},
		{"given value validated", false, [3]string{"x", "B", "1"}, nil, [3]string{"x", "B", "1"}, "invalid --name: x is not a name", ExitUsage, nil},
		{"missing one, no terminal", false, [3]string{"A", "", "1"}, nil, [3]string{"A", "", "1"}, "missing required flag --address (no terminal to ask for them)", ExitUsage, nil},
		{"missing all, no terminal", false, [3]string{}, nil, [3]string{}, "missing required flags --name, --address, --type (no terminal to ask for them)", ExitUsage, nil},
		{"terminal asks only the missing", true, [3]string{"A", "", ""},
			[]prompt.Answer{{Title: "address", Value: "https://b"}, {Title: "Type", Value: "2"}},
			[3]string{"A", "https://b", "2"}, "", 0, []string{"Address", "Type"}},
		{"terminal, left empty", true, [3]string{"A", "", "1"},
			[]prompt.Answer{{Title: "Address", Value: ""}},
			[3]string{"A", "", "1"}, "missing required flag --address", ExitUsage, []string{"Address"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prompt.NewScripted(tt.answers...)
			f, _, _ := testFactory(tt.tty, p, nil)
			v := tt.given
			err := FillMissing(f, registrationFields(&v[0], &v[1], &v[2]))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || ExitCode(err) != tt.wantCode {
					t.Fatalf("err = %v (code %d), want %q (code %d)", err, ExitCode(err), tt.wantErr, tt.wantCode)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if v != tt.want {
				t.Errorf("values = %q, want %q", v, tt.want)
			}
			if !slices.Equal(p.Asked, tt.wantAsked) {
				t.Errorf("asked %q, want %q", p.Asked, tt.wantAsked)
			}
		})
	}
}

func TestConfirmDestructive(t *testing.T) {
	const q = "Revoke certificate 01?"
	tests := []struct {
		name     string
		tty      bool
		yes      bool
		answers  []prompt.Answer
		wantErr  string
		wantCode int
	}{
		{"--yes, no terminal", false, true, nil, "", 0},
		{"--yes, terminal: no question", true, true, nil, "", 0},
		{"no terminal", false, false, nil, "Revoke certificate 01: confirmation needed and there is no terminal to ask; pass --yes to proceed", ExitUsage},
		{"terminal, yes", true, false, []prompt.Answer{{Title: q, Value: "yes"}}, "", 0},
		{"terminal, no", true, false, []prompt.Answer{{Title: q, Value: "no"}}, "cancelled", ExitCancelled},
		{"terminal, ctrl-c", true, false, []prompt.Answer{{Title: q, Err: prompt.ErrCancelled}}, "cancelled at the prompt", ExitCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prompt.NewScripted(tt.answers...)
			f, _, _ := testFactory(tt.tty, p, nil)
			err := ConfirmDestructive(f, tt.yes, q)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else if err == nil || err.Error() != tt.wantErr || ExitCode(err) != tt.wantCode {
				t.Fatalf("err = %v (code %d), want %q (code %d)", err, ExitCode(err), tt.wantErr, tt.wantCode)
			}
			if err := p.Done(); err != nil {
				t.Error(err)
			}
		})
	}
}

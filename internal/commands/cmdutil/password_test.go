package cmdutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/prompt"
)

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadPasswordFile(t *testing.T) {
	tests := []struct {
		name, content, want, wantErr string
	}{
		{"newline", "s3cret\n", "s3cret", ""},
		{"no newline", "s3cret", "s3cret", ""},
		{"crlf", "s3cret\r\n", "s3cret", ""},
		{"first line only", "s3cret\nsecond\n", "s3cret", ""},
		{"spaces kept", " s3 cret \n", " s3 cret ", ""},
		{"empty file", "", "", "first line is empty"},
		{"empty first line", "\nsecret\n", "", "first line is empty"},
		{"too big", strings.Repeat("x", 5000), "", "is larger than 4096 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadPasswordFile(writeTemp(t, tt.content))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := ReadPasswordFile(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "cannot read password file") {
		t.Fatalf("missing file: err = %v", err)
	}
}

func TestPassword(t *testing.T) {
	const title = "Password for server.key"
	const confirm = "Confirm: " + title
	fromFile := writeTemp(t, "from-file\n")
	fromEnv := writeTemp(t, "from-env\n")
	tests := []struct {
		name       string
		tty        bool
		opts       PasswordOptions
		env        map[string]string
		answers    []prompt.Answer
		want       string
		wantErr    string
		wantCode   int
		wantStderr string
	}{
		{"flag file", false, PasswordOptions{File: fromFile, Title: title}, nil, nil, "from-file", "", 0, ""},
		{"flag file wins over env", false, PasswordOptions{File: fromFile}, map[string]string{PasswordFileEnv: fromEnv}, nil, "from-file", "", 0, ""},
		{"env file", false, PasswordOptions{}, map[string]string{PasswordFileEnv: fromEnv}, nil, "from-env", "", 0, ""},
		{"file wins over terminal", true, PasswordOptions{File: fromFile}, nil, nil, "from-file", "", 0, ""},
		{"no terminal", false, PasswordOptions{Title: title}, nil, nil, "",
			"a password is needed and there is no terminal to ask: pass --password-file FILE (or set IMICTL_PASSWORD_FILE)", ExitUsage, ""},
		{"no terminal, other flag name", false, PasswordOptions{FileFlag: "ca-password-file"}, nil, nil, "",
			"a password is needed and there is no terminal to ask: pass --ca-password-file FILE (or set IMICTL_PASSWORD_FILE)", ExitUsage, ""},
		{"prompt", true, PasswordOptions{Title: title}, nil, []prompt.Answer{{Title: title, Value: "typed"}}, "typed", "", 0, ""},
		{"prompt empty", true, PasswordOptions{Title: title}, nil, []prompt.Answer{{Title: title, Value: ""}}, "",
			"empty password: type one, or pass --password-file FILE", ExitUsage, ""},
		{"new, confirmed", true, PasswordOptions{Title: title, New: true}, nil,
			[]prompt.Answer{{Title: title, Value: "a"}, {Title: confirm, Value: "a"}}, "a", "", 0, ""},
		{"new, mismatch then confirmed", true, PasswordOptions{Title: title, New: true}, nil,
			[]prompt.Answer{{Title: title, Value: "a"}, {Title: confirm, Value: "b"}, {Title: title, Value: "c"}, {Title: confirm, Value: "c"}},
			"c", "", 0, "Passwords do not match; try again.\n"},
		{"new, three mismatches", true, PasswordOptions{Title: title, New: true}, nil,
			[]prompt.Answer{{Title: title, Value: "a"}, {Title: confirm, Value: "b"}, {Title: title, Value: "a"}, {Title: confirm, Value: "b"}, {Title: title, Value: "a"}, {Title: confirm, Value: "b"}},
			"", "passwords did not match 3 times; run the command again", ExitFailure, strings.Repeat("Passwords do not match; try again.\n", 3)},
		{"ctrl-c", true, PasswordOptions{Title: title, New: true}, nil,
			[]prompt.Answer{{Title: title, Err: prompt.ErrCancelled}}, "", "cancelled at the prompt", ExitCancelled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prompt.NewScripted(tt.answers...)
			f, out, errOut := testFactory(tt.tty, p, tt.env)
			got, err := Password(f, tt.opts)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || ExitCode(err) != tt.wantCode {
					t.Fatalf("err = %v (code %d), want %q (code %d)", err, ExitCode(err), tt.wantErr, tt.wantCode)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if err := p.Done(); err != nil {
				t.Error(err)
			}
			if out.Len() != 0 || errOut.String() != tt.wantStderr {
				t.Errorf("stdout %q, stderr %q, want stderr %q (passwords must never be printed)", out, errOut, tt.wantStderr)
			}
		})
	}
}

package iostreams

import "testing"

func TestCanPrompt(t *testing.T) {
	tests := []struct {
		name                   string
		stdin, stdout, noInput bool
		want                   bool
	}{
		{"both terminals", true, true, false, true},
		{"both terminals, --no-input", true, true, true, false},
		{"stdin piped", false, true, false, false},
		{"stdout piped", true, false, false, false},
		{"pipe", false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := Test()
			ios.SetStdinTTY(tt.stdin)
			ios.SetStdoutTTY(tt.stdout)
			ios.SetNeverPrompt(tt.noInput)
			if got := ios.CanPrompt(); got != tt.want {
				t.Errorf("CanPrompt() = %v, want %v", got, tt.want)
			}
			if ios.IsStdinTTY() != tt.stdin || ios.IsStdoutTTY() != tt.stdout {
				t.Errorf("IsStdinTTY/IsStdoutTTY = %v/%v, want %v/%v", ios.IsStdinTTY(), ios.IsStdoutTTY(), tt.stdin, tt.stdout)
			}
		})
	}
}

func TestTestStreamsAreBuffersAndNotTerminals(t *testing.T) {
	ios, in, out, errOut := Test()
	if ios.CanPrompt() || ios.IsStdinTTY() || ios.IsStdoutTTY() {
		t.Fatal("Test() streams must start as a pipe")
	}
	in.WriteString("x")
	if ios.In != in || ios.Out != out || ios.ErrOut != errOut {
		t.Fatal("Test() must return the buffers behind the streams")
	}
}

package output

import (
	"bytes"
	"testing"
)

func TestEscapeControl(t *testing.T) {
	tests := []struct{ in, want, wantLines string }{
		{"plain 中文 emoji 👩‍💻", "plain 中文 emoji 👩‍💻", "plain 中文 emoji 👩‍💻"},
		{"a\nb", `a\nb`, "a\nb"},
		{"red \x1b[31mX\x1b[0m", `red \x1b[31mX\x1b[0m`, `red \x1b[31mX\x1b[0m`},
		{"tab\there\r", `tab\there\r`, `tab\there\r`},
		{"del\x7f nul\x00 c1\u009b", `del\x7f nul\x00 c1\x9b`, `del\x7f nul\x00 c1\x9b`},
		{"bidi \u202egnp.exe\u2066x\u2069", `bidi \u202egnp.exe\u2066x\u2069`, `bidi \u202egnp.exe\u2066x\u2069`},
		{`back\slash "quoted"`, `back\slash "quoted"`, `back\slash "quoted"`},
	}
	for _, tt := range tests {
		if got := EscapeControl(tt.in); got != tt.want {
			t.Errorf("EscapeControl(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := EscapeControlLines(tt.in); got != tt.wantLines {
			t.Errorf("EscapeControlLines(%q) = %q, want %q", tt.in, got, tt.wantLines)
		}
	}
}

func TestTableEscapesPeerText(t *testing.T) {
	var buf bytes.Buffer
	err := Print(&buf, Table, View{
		Headers: []string{"id", "name"},
		Rows:    [][]string{{"S1", "evil\x1b[2J\nS2   fake"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "ID   NAME\nS1   evil\\x1b[2J\\nS2   fake\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
	buf.Reset()
	if err := Print(&buf, Table, View{Details: []Field{{"Name", "a\x07b"}}}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "Name:   a\\x07b\n" {
		t.Errorf("details: got %q", buf.String())
	}
}

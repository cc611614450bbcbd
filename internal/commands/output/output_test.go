package output

import (
	"bytes"
	"strings"
	"testing"
)

type item struct {
	ID      string   `json:"serverId"`
	Name    string   `json:"name"`
	Count   int      `json:"count"`
	Active  bool     `json:"active"`
	Tags    []string `json:"tags"`
	Comment string   `json:"comment,omitempty"`
}

func sample() View {
	items := []item{
		{ID: "S1", Name: "Alpha <corp> 中文", Count: 3, Active: true, Tags: []string{"a", "b"}},
		{ID: "S200", Name: "true", Count: 0, Tags: []string{}, Comment: "line1\nline2"},
	}
	return View{
		Data:    items,
		Headers: []string{"Server ID", "Name", "Count"},
		Rows:    [][]string{{"S1", "Alpha <corp> 中文", "3"}, {"S200", "", "0"}},
	}
}

func TestPrint(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		view   View
		want   string
	}{
		{"table", Table, sample(), "" +
			"SERVER ID   NAME                COUNT\n" +
			"S1          Alpha <corp> 中文   3\n" +
			"S200                            0\n"},
		{"table without rows prints the headers", Table, View{Headers: []string{"id"}, Rows: nil}, "ID\n"},
		{"details", Table, View{Details: []Field{{"Server ID", "S1"}, {"Fingerprint", "ab:cd"}, {"Empty", ""}}}, "" +
			"Server ID:     S1\n" +
			"Fingerprint:   ab:cd\n" +
			"Empty:\n"},
		{"nothing", Table, View{}, ""},
		{"json", JSON, sample(), `[
  {
    "serverId": "S1",
    "name": "Alpha <corp> 中文",
    "count": 3,
    "active": true,
    "tags": [
      "a",
      "b"
    ]
  },
  {
    "serverId": "S200",
    "name": "true",
    "count": 0,
    "active": false,
    "tags": [],
    "comment": "line1\nline2"
  }
]
`},
		{"yaml keeps json names and order, quotes what would change type", YAML, sample(), `- serverId: S1
  name: Alpha <corp> 中文
  count: 3
  active: true
  tags:
    - a
    - b
- serverId: S200
  name: "true"
  count: 0
  active: false
  tags: []
  comment: |-
    line1
    line2
`},
		{"yaml of numeric-looking strings", YAML, View{Data: map[string]string{"a": "123", "b": "", "c": "x: y"}}, "a: \"123\"\nb: \"\"\nc: 'x: y'\n"},
		{"json null", JSON, View{}, "null\n"},
		{"yaml null", YAML, View{}, "null\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Print(&buf, tt.format, tt.view); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestPrintUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := Print(&buf, "pem", sample())
	if err == nil || !strings.Contains(err.Error(), `output format "pem" has no printer`) {
		t.Fatalf("err = %v", err)
	}
	if buf.Len() != 0 {
		t.Fatalf("wrote %q", buf.String())
	}
}

func TestPrintUnmarshalableData(t *testing.T) {
	for _, f := range []Format{JSON, YAML} {
		var buf bytes.Buffer
		if err := Print(&buf, f, View{Data: func() {}}); err == nil {
			t.Errorf("%s: want error for a func value", f)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %q", f, buf.String())
		}
	}
}

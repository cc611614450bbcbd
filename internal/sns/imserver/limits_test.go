package imserver

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestDocumentedLimits reads the defaults docs/PROTOCOL.md states for the
// reference IM server and compares them with the code's constants, so
// that the two cannot drift apart again.
func TestDocumentedLimits(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		pattern string // one group: the figure in MiB
		want    int64
	}{
		{"`maxRequestBody`, ([0-9]+) MiB by default", DefaultMaxRequestBody},
		{"At most ([0-9]+) MiB by default\\s+\\(`maxFileSize`\\)", DefaultMaxFileSize},
	} {
		m := regexp.MustCompile(tt.pattern).FindSubmatch(doc)
		if m == nil {
			t.Errorf("docs/PROTOCOL.md no longer matches %q: state the default there", tt.pattern)
			continue
		}
		mib, _ := strconv.ParseInt(string(m[1]), 10, 64)
		if mib<<20 != tt.want {
			t.Errorf("docs/PROTOCOL.md says %s MiB (%q), the code's default is %d bytes", m[1], m[0], tt.want)
		}
	}
}

package bench

import (
	"bytes"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/loadgen"
)

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := &progressLine{w: &buf, count: 100}
	p.draw(loadgen.Snapshot{Calls: 40, Failed: 2, Elapsed: 2 * time.Second})
	p.clear()
	if want := "\r\033[K40/100 calls  20/s  2 failed  2s\r\033[K"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
	buf.Reset()
	(&progressLine{w: &buf}).draw(loadgen.Snapshot{Calls: 5, Elapsed: 1500 * time.Millisecond})
	if want := "\r\033[K5 calls  3/s  0 failed  1s"; buf.String() != want {
		t.Errorf("time-bounded: got %q, want %q", buf.String(), want)
	}
}

package faults

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/sns/imserver"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// A full disk, simulated with a file size limit (RLIMIT_FSIZE, through
// prlimit): the IM server cannot grow its database. A send that cannot be
// written is refused with a clear error and leaves no trace; what was
// acknowledged before is intact after a restart with room again.
func TestDiskFull(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit (util-linux) is not installed: cannot limit the file size of a child process")
	}
	alpha, beta, users := crashWorld(t)
	db := imserver.DBPath(alpha.dataDir)
	alpha.proc.stop()
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	// As big as the database is now: it cannot grow.
	alpha.proc = startProcWith(t, "alpha", []string{prlimit, "--fsize=" + strconv.FormatInt(fi.Size(), 10), "--", imictl}, "serve", "--insecure", "--im", "--data-dir", alpha.dataDir)
	alpha.proc.waitLog(`msg="serving; `)
	alpha.waitReady(t)

	ctx := context.Background()
	l := &sendLog{outcomes: map[string]outcome{}}
	var refusal error
	seq := 0
	for ; refusal == nil && seq < 100000; seq++ {
		text := fmt.Sprintf("%s %d", users[0], seq)
		if _, refusal = alpha.admin.SendText(ctx, users[0], "b0@beta", text); refusal == nil {
			l.note(text, acked)
		} else {
			l.note(text, refused)
		}
	}
	t.Logf("a database of %d bytes with no room to grow: %d sends acknowledged, then: %v", fi.Size(), l.counts[acked], refusal)
	var ae *adminclient.Error
	if !errors.As(refusal, &ae) || !strings.Contains(ae.Message, db) || !strings.Contains(ae.Message, "free some space") {
		t.Fatalf("the send that could not be written failed with %v: want the server's refusal naming %s and saying to free space", refusal, db)
	}
	// The command line says the same. (A failed commit may free pages that
	// a later, smaller one fits in: send until one is refused.)
	for i := 0; ; i, seq = i+1, seq+1 {
		text := fmt.Sprintf("%s %d", users[0], seq)
		r := run(t, "im", "send", "--from", users[0], "--to", "b0@beta", "--text", text, "--data-dir", alpha.dataDir)
		if r.code == 0 {
			l.note(text, acked)
			if i < 100 {
				continue
			}
			t.Fatal("im send kept succeeding on a full disk")
		}
		l.note(text, refused)
		if !strings.HasPrefix(r.stderr, "imictl: ") || !strings.Contains(r.stderr, db) || !strings.Contains(r.stderr, "free some space") {
			t.Errorf("im send on a full disk: exit %d, %q", r.code, r.stderr)
		}
		break
	}

	// With room again, everything acknowledged is there, once, and in
	// order; nothing refused is.
	alpha.proc.kill()
	alpha.restart(t)
	checkDelivered(t, alpha, beta, "b0", l)
}

// startProcWith starts imictl through a wrapper command (prefix ends with
// the imictl binary).
func startProcWith(t *testing.T, name string, prefix []string, args ...string) *proc {
	t.Helper()
	saved := imictl
	imictl = prefix[0]
	defer func() { imictl = saved }()
	return startProc(t, name, append(prefix[1:], args...)...)
}

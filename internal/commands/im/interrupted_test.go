package im

import (
	"context"
	"errors"
	"testing"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// A wait cut short during a call to the server, rather than between two,
// is cancelled (exit 3) too, whatever error the call returned.
func TestInterruptedWaitIsCancelled(t *testing.T) {
	failed := errors.New("dial unix: connection refused")
	if err := interrupted(context.Background(), failed); err != failed {
		t.Errorf("with the context alive: %v, want the call's error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := interrupted(ctx, failed); !errors.Is(err, cmdutil.ErrCancelled) {
		t.Errorf("with the context ended: %v, want ErrCancelled", err)
	}
}

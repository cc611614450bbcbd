// Command imictl is the toolkit and reference implementation for the
// interconnection of instant-messaging systems.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/imictl/imictl/internal/commands"
	"github.com/imictl/imictl/internal/commands/iostreams"
)

func main() {
	// The first Ctrl-C cancels the context (exit 3); after that the default
	// handling is back, so a second Ctrl-C stops a command that is stuck.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }()
	code := commands.Main(ctx, iostreams.System(), os.Args[1:])
	stop()
	os.Exit(code)
}

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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := commands.Main(ctx, iostreams.System(), os.Args[1:])
	stop()
	os.Exit(code)
}

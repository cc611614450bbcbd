package cmdutil

import (
	"os"
	"sync"
	"time"

	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/prompt"
)

// Factory holds what commands depend on. Every field that costs something
// (a prompter, an HTTP client, a database) is a function called only by the
// command that needs it, so that `imictl help` stays instant and never
// touches a lock. Tests replace fields freely.
type Factory struct {
	IOStreams *iostreams.IOStreams
	// Prompter returns the terminal prompter; only call it when
	// IOStreams.CanPrompt() (RequireValue and friends do that for you).
	Prompter func() prompt.Prompter
	// Now is the clock. Use it instead of time.Now so tests can fix time.
	Now func() time.Time
	// Getenv reads the environment (IMICTL_*). Tests swap it instead of
	// changing the process environment.
	Getenv func(string) string

	// Add further lazy dependencies here, as funcs, e.g.
	//   HTTPClient func() (*http.Client, error)
	//   OpenStore  func(dataDir string) (*store.Store, error)
	// and give them a default in NewFactory.
}

// NewFactory returns the Factory for a real run.
func NewFactory(ios *iostreams.IOStreams) *Factory {
	f := &Factory{IOStreams: ios, Now: time.Now, Getenv: os.Getenv}
	f.Prompter = sync.OnceValue(func() prompt.Prompter {
		return prompt.NewHuh(ios.In, ios.Out, f.Getenv("ACCESSIBLE") != "")
	})
	return f
}

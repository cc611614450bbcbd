package cmdutil

import (
	"bytes"
	"time"

	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/prompt"
)

// testFactory returns a factory over in-memory streams, a terminal if tty.
func testFactory(tty bool, p *prompt.Scripted, env map[string]string) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	ios.SetStdinTTY(tty)
	ios.SetStdoutTTY(tty)
	return &Factory{
		IOStreams: ios,
		Prompter:  func() prompt.Prompter { return p },
		Now:       func() time.Time { return time.Unix(0, 0) },
		Getenv:    func(k string) string { return env[k] },
	}, out, errOut
}

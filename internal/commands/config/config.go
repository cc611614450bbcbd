// Package config implements `imictl config`: the named contexts of the
// config file that internal/commands/identity reads (serverId, key,
// certificate, root and management URL of signed calls), like kubectl's.
// The file holds paths only, never a key or a password.
package config

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/output"
)

// NewCmdConfig returns the `imictl config` group.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("config", "Manage the named identities (contexts) of signed calls")
	cmd.Long = `Manage the config file's contexts: each names a serverId, key, certificate,
root and management URL, so that signed commands need no flags.

Settings are taken from flags first, then IMICTL_* variables, then the
context named by --context, $IMICTL_CONTEXT or current-context. The file is
$IMICTL_CONFIG, else $XDG_CONFIG_HOME/imictl/config.yaml, else
~/.config/imictl/config.yaml. It holds paths, never secrets.`
	cmd.AddCommand(
		NewCmdSetContext(f, nil),
		NewCmdUseContext(f, nil),
		NewCmdGetContexts(f, nil),
		NewCmdDeleteContext(f, nil),
		NewCmdView(f, nil),
	)
	return cmd
}

// load reads the config file, failing if there is nowhere to look for it.
func load(f *cmdutil.Factory) (path string, cfg *identity.Config, exists bool, err error) {
	path = identity.ConfigPath(f)
	if path == "" {
		return "", nil, false, cmdutil.UsageError("cannot tell where the config file is: set %s or HOME", identity.ConfigEnv)
	}
	cfg, exists, err = identity.ReadConfig(path)
	return path, cfg, exists, err
}

// contextRow is one context as get-contexts and view print it.
type contextRow struct {
	Current bool `json:"current"`
	identity.Context
}

func contextsView(cfg *identity.Config, data any) output.View {
	v := output.View{Data: data, Headers: []string{"current", "name", "server-id", "mgmt", "key", "cert", "root"}, Rows: [][]string{}}
	for _, c := range cfg.Contexts {
		mark := ""
		if c.Name == cfg.CurrentContext {
			mark = "*"
		}
		v.Rows = append(v.Rows, []string{mark, c.Name, c.ServerID, c.Mgmt, c.Key, c.Cert, c.Root})
	}
	return v
}

func rows(cfg *identity.Config) []contextRow {
	out := make([]contextRow, 0, len(cfg.Contexts))
	for _, c := range cfg.Contexts {
		out = append(out, contextRow{Current: c.Name == cfg.CurrentContext, Context: c})
	}
	return out
}

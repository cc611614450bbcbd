package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/pki"
)

// SetContextOptions are the inputs of `imictl config set-context`.
type SetContextOptions struct {
	IO     *iostreams.IOStreams
	Format output.Format
	Name   string
	// Changes holds the settings given on the command line, by flag name;
	// a flag given as "" clears the setting.
	Changes map[string]string
	Current bool
}

// contextFlags are the settings a context holds, by flag name.
var contextFlags = []struct{ flag, usage string }{
	{identity.FlagServerID, "`ID` to sign as (default: the one the certificate names)"},
	{identity.FlagKey, "SM2 private key `FILE`"},
	{identity.FlagCert, "certificate `FILE` of that key"},
	{identity.FlagRoot, "trusted interconnection root certificate `FILE`"},
	{identity.FlagMgmt, "management server base `URL`"},
	{identity.FlagPasswordFile, "`FILE` holding the key's password (the password itself is never stored)"},
	{mgmtutil.FlagAdminURL, "the remote admin API's `URL`, for the admin and ca commands"},
	{mgmtutil.FlagAdminKey, "the administrator's SM2 key `FILE`, for the remote admin API"},
	{mgmtutil.FlagAdminCert, "the administrator certificate `FILE` (ca sign --admin)"},
}

// NewCmdSetContext returns `imictl config set-context`.
func NewCmdSetContext(f *cmdutil.Factory, runF func(*SetContextOptions) error) *cobra.Command {
	opts := &SetContextOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "set-context NAME [--server-id ID] [--key FILE] [--cert FILE] [--root FILE] [--mgmt URL]",
		Short: "Create or change a named identity",
		Long: `Create the context NAME, or change the settings given of an existing one
(a flag given as "" clears its setting). Relative paths are stored as
absolute paths, so that the context works from any directory.`,
		Example: `  imictl config set-context prod --key key.pem --cert cert.pem --root root.crt --mgmt https://mgmt.example.com --current`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			opts.Name = args[0]
			opts.Changes = map[string]string{}
			for _, cf := range contextFlags {
				if fl := cmd.Flags().Lookup(cf.flag); fl.Changed {
					v, err := normalize(cf.flag, fl.Value.String())
					if err != nil {
						return err
					}
					opts.Changes[cf.flag] = v
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return setContextRun(f, opts)
		},
	}
	for _, cf := range contextFlags {
		cmd.Flags().String(cf.flag, "", cf.usage)
	}
	cmd.Flags().BoolVar(&opts.Current, "current", false, "also make it the current context")
	return cmd
}

// normalize checks a setting and makes paths absolute.
func normalize(flag, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	switch flag {
	case identity.FlagServerID:
		if err := pki.ValidateServerID(v); err != nil {
			return "", cmdutil.UsageError("--%s: %v", flag, err)
		}
		return v, nil
	case identity.FlagMgmt:
		return identity.NormalizeMgmtURL(v)
	case mgmtutil.FlagAdminURL:
		if u := strings.TrimRight(v, "/"); ids.IsBaseURL(u) {
			return u, nil
		}
		return "", cmdutil.UsageError("--%s %q: want http(s)://host:port, like https://mgmt.example.com:8444", flag, v)
	}
	abs, err := filepath.Abs(v)
	if err != nil {
		return "", fmt.Errorf("--%s %s: %w", flag, v, err)
	}
	return abs, nil
}

func setContextRun(f *cmdutil.Factory, opts *SetContextOptions) error {
	path, cfg, _, err := load(f)
	if err != nil {
		return err
	}
	ctx, verb := identity.Context{Name: opts.Name}, "created"
	if old := cfg.Context(opts.Name); old != nil {
		ctx, verb = *old, "modified"
	}
	for flag, v := range opts.Changes {
		switch flag {
		case identity.FlagServerID:
			ctx.ServerID = v
		case identity.FlagKey:
			ctx.Key = v
		case identity.FlagCert:
			ctx.Cert = v
		case identity.FlagRoot:
			ctx.Root = v
		case identity.FlagMgmt:
			ctx.Mgmt = v
		case identity.FlagPasswordFile:
			ctx.PasswordFile = v
		case mgmtutil.FlagAdminURL:
			ctx.AdminURL = v
		case mgmtutil.FlagAdminKey:
			ctx.AdminKey = v
		case mgmtutil.FlagAdminCert:
			ctx.AdminCert = v
		}
	}
	cfg.SetContext(ctx)
	if opts.Current {
		cfg.CurrentContext = ctx.Name
	}
	if err := identity.WriteConfig(path, cfg); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Context %q %s in %s.\n", ctx.Name, verb, path)
	for _, p := range []string{ctx.Key, ctx.Cert, ctx.Root, ctx.PasswordFile, ctx.AdminKey, ctx.AdminCert} {
		if _, err := os.Stat(p); p != "" && err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "Warning: %s does not exist (yet).\n", p)
		}
	}
	return output.Print(opts.IO.Out, opts.Format, contextsView(&identity.Config{CurrentContext: cfg.CurrentContext, Contexts: []identity.Context{ctx}},
		contextRow{Current: cfg.CurrentContext == ctx.Name, Context: ctx}))
}

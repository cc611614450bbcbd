// Package commands is the imictl command tree. It parses flags, asks
// questions and prints results; protocol logic lives in internal/pki,
// internal/mgmt and internal/sns. See internal/commands/cmdutil for how to add
// a command.
package commands

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/admin"
	"github.com/imictl/imictl/internal/commands/bench"
	"github.com/imictl/imictl/internal/commands/ca"
	"github.com/imictl/imictl/internal/commands/cert"
	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/config"
	"github.com/imictl/imictl/internal/commands/conformance"
	"github.com/imictl/imictl/internal/commands/csr"
	"github.com/imictl/imictl/internal/commands/dir"
	"github.com/imictl/imictl/internal/commands/im"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/probe"
	"github.com/imictl/imictl/internal/commands/register"
	"github.com/imictl/imictl/internal/commands/serve"
	"github.com/imictl/imictl/internal/commands/sns"
	"github.com/imictl/imictl/internal/commands/version"
)

// noInputFlag disables prompting.
const noInputFlag = "no-input"

func init() {
	// Run every PersistentPreRunE from the root down, so a group that adds
	// its own hook cannot skip the root's flag validation. Set once here,
	// not per NewRootCmd, so that parallel tests do not race on it.
	cobra.EnableTraverseRunHooks = true
}

// NewRootCmd builds the whole command tree around f.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	root := cmdutil.NewGroupCmd("imictl", "Keys, certificates, registration and interconnection of instant messaging systems")
	root.Long = `imictl runs and operates the interconnection of instant messaging systems:
SM2 keys and certificates, registration with the management server, the
directory of connected servers, and signed /sns calls between IM servers
(--verbose shows why one fails). "imictl serve" runs the management server
and a reference IM server.

Every command takes -o json for scripts. Exit codes: "imictl help exit-codes".`
	root.SilenceErrors = true // Run prints errors, once, as "imictl: ..."
	root.SilenceUsage = true  // and usage only after usage errors
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)

	cmdutil.AddOutputFlag(root)
	root.PersistentFlags().Bool(noInputFlag, false, "never prompt; a missing value is a usage error naming its flag")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		noInput, err := cmd.Flags().GetBool(noInputFlag)
		if err != nil {
			return err
		}
		f.IOStreams.SetNeverPrompt(noInput)
		if err := cmdutil.ValidateOutputFormat(cmd); err != nil {
			return err
		}
		// Cobra checks these after the hooks and without an exit code;
		// checking them here makes them usage errors.
		if err := cmd.ValidateRequiredFlags(); err != nil {
			return cmdutil.AsUsageError(err)
		}
		return cmdutil.AsUsageError(cmd.ValidateFlagGroups())
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return cmdutil.AsUsageError(err)
	})
	root.SetHelpCommand(newCmdHelp(f))
	// Groups run (to reject unknown subcommands) but take no flags of their
	// own: show "imictl key [command]", not also "imictl key [flags]".
	root.SetUsageTemplate(strings.Replace(root.UsageTemplate(),
		"Usage:{{if .Runnable}}",
		"Usage:{{if and .Runnable (not .HasAvailableSubCommands)}}", 1))

	// Command groups: one line each, in the order of the command tree in
	// docs (key, csr, cert, ca, register, admin, dir, sns, im, probe, serve).
	root.AddCommand(
		key.NewCmdKey(f),
		csr.NewCmdCSR(f),
		cert.NewCmdCert(f),
		ca.NewCmdCA(f),
		register.NewCmdRegister(f),
		admin.NewCmdAdmin(f),
		dir.NewCmdDir(f),
		config.NewCmdConfig(f),
		sns.NewCmdSNS(f),
		bench.NewCmdBench(f, nil),
		conformance.NewCmdConformance(f, nil),
		im.NewCmdIM(f),
		probe.NewCmdProbe(f, nil),
		serve.NewCmdServe(f, nil),
		version.NewCmdVersion(f, nil),
		newCmdCompletion(),
	)

	// Add the help command now (cobra would at execution) so that the walk
	// below reaches `help exit-codes` too.
	root.InitDefaultHelpCmd()
	argErrorsAreUsageErrors(root)
	return root
}

// argErrorsAreUsageErrors makes every positional-argument error (wrong
// count, invalid value) exit 2 with usage, whoever wrote the validator.
func argErrorsAreUsageErrors(cmd *cobra.Command) {
	if validate := cmd.Args; validate != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			return cmdutil.AsUsageError(validate(c, args))
		}
	}
	for _, c := range cmd.Commands() {
		argErrorsAreUsageErrors(c)
	}
}

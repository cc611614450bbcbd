// Package cmdutil is the framework every imictl command is built on: the
// Factory of lazy dependencies, exit codes, -o/--output, prompting rules,
// passwords and safe file output.
//
// # Adding a command
//
// One folder per noun (internal/commands/key), one file per verb (gen.go),
// gh-style: an options struct holds the inputs and the dependencies; NewCmdX
// only parses and validates flags, then calls runF (tests) or the real run.
//
//	// internal/commands/key/key.go
//	func NewCmdKey(f *cmdutil.Factory) *cobra.Command {
//		cmd := cmdutil.NewGroupCmd("key", "Generate and inspect SM2 private keys")
//		cmd.AddCommand(NewCmdGen(f, nil), ...)
//		return cmd
//	}
//
//	// internal/commands/key/gen.go
//	type GenOptions struct {
//		IO     *iostreams.IOStreams
//		Format output.Format
//		Out    string
//		Force  bool
//	}
//
//	func NewCmdGen(f *cmdutil.Factory, runF func(*GenOptions) error) *cobra.Command {
//		opts := &GenOptions{IO: f.IOStreams}
//		cmd := &cobra.Command{
//			Use:   "gen --out FILE",
//			Short: "Generate an SM2 private key",
//			Args:  cobra.NoArgs, // always say what arguments are accepted
//			RunE: func(cmd *cobra.Command, args []string) error {
//				opts.Format = cmdutil.OutputFormat(cmd)
//				// validate flags here; return cmdutil.UsageError(...) on misuse
//				if runF != nil {
//					return runF(opts)
//				}
//				return genRun(f, opts)
//			},
//		}
//		cmd.Flags().StringVar(&opts.Out, "out", "", "write the key to `FILE`")
//		cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite an existing file")
//		return cmd
//	}
//
// Then add the group to NewRootCmd in internal/commands/root.go, one line.
//
// # Rules
//
//   - Return errors, never call os.Exit or print "error:" yourself; the root
//     prints "imictl: <message>" once. Messages say what went wrong and what
//     to do. Pick the exit code with UsageError, AuthError, PendingError,
//     UnavailableError, NotFoundError, ErrCancelled or &ExitError{...}; a
//     plain error exits 1. `imictl help exit-codes` lists them (ExitCodes).
//   - Results go to IO.Out through output.Print with one output.View: Data
//     with stable camelCase json tags for json/yaml (times RFC 3339 UTC,
//     bytes lower-case hex, empty lists [] not null), Headers+Rows or Details
//     for the table (control characters are escaped for you). Commands with more formats call SetOutputFormats and handle
//     the extra ones themselves. Messages for people go to IO.ErrOut.
//   - Missing values: RequireValue / FillMissing prompt only when
//     IO.CanPrompt(), else a usage error names the flag. Destructive
//     actions: AddYesFlag and ConfirmDestructive.
//   - Shared flags: AddYesFlag, AddForceFlag, AddDataDirFlag (+ DataDir for
//     the $IMICTL_DATA_DIR / ./imictl-data fallback). -o and --no-input are
//     global and already there.
//   - Passwords: Password (file, $IMICTL_PASSWORD_FILE, or prompt); never
//     print them. Output files: WriteOutput / WriteFileAtomic (0600 for
//     keys; --force to overwrite). Inputs: ReadInput ("-" is stdin).
//   - Time from f.Now, environment from f.Getenv; add lazy dependencies
//     (HTTP client, store opener) as func fields of Factory.
//
// # Testing
//
// From an external test package (package key_test):
//
//	res := cmdtest.Run(t, cmdtest.Options{}, "key", "gen", "--out", path, "-o", "json")
//	res.Expect(t, 0)
//	cmdtest.Golden(t, "gen.json", res.Stdout) // go test -update rewrites testdata/gen.json
//
// cmdtest.Options{TTY: true, Prompter: prompt.NewScripted(...)} acts out a
// terminal session; the zero Options is a pipe, as in CI.
package cmdutil

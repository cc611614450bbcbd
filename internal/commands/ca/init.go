package ca

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/pki"
)

// InitOptions are the inputs of `imictl ca init`.
type InitOptions struct {
	IO           *iostreams.IOStreams
	Format       output.Format
	Now          func() time.Time
	DataDir      string
	PasswordFile string
	NoPassword   bool
	Insecure     bool
	Name         string // root CN
	ServerID     string // the management server's serverId
	ServerName   string
	Validity     time.Duration // of the root
}

// InitResult is the JSON form of `ca init -o json`.
type InitResult struct {
	Dir       string `json:"dir"`
	ServerID  string `json:"serverId"`
	Encrypted bool   `json:"encrypted"`
	mgmtutil.RootInfo
}

// NewCmdInit returns `imictl ca init`. runF replaces the run step in tests.
func NewCmdInit(f *cmdutil.Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: f.IOStreams, Now: f.Now}
	var validity string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create the certificate authority and the management server's identity",
		Long: `Create the interconnection root CA and the management server's own signing
identity (serverId center-im unless --server-id) in the data directory, and an
empty management database. It refuses to touch an existing CA.

Both keys are encrypted with a password from --password-file,
$IMICTL_PASSWORD_FILE or the prompt (asked twice). Plain keys take both
--no-password and --insecure: only for tests and demonstrations.

It prints the root's fingerprints: give the SHA-256 one to every IM server's
administrator, who pins the root with
  imictl dir bootstrap --mgmt URL --fingerprint SHA256 --out root.crt`,
		Example: `  imictl ca init --data-dir /var/lib/imictl --password-file ca-password.txt
  imictl ca init --name "Example interconnection root" -o json --password-file pw.txt
  imictl ca init --no-password --insecure     # a throw-away test CA`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if opts.NoPassword != opts.Insecure {
				return cmdutil.UsageError("--no-password writes the CA keys unencrypted and needs --insecure to confirm (and --insecure only confirms --no-password): pass both, or neither")
			}
			if err := pki.ValidateServerID(opts.ServerID); err != nil {
				return cmdutil.UsageError("invalid --server-id: %v", err)
			}
			var err error
			if opts.Validity, err = mgmtutil.ParseDuration("validity", validity); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return initRun(f, opts)
		},
	}
	fl := cmd.Flags()
	cmdutil.AddDataDirFlag(cmd, &opts.DataDir)
	fl.StringVar(&opts.PasswordFile, passwordFlag, "", "read the new CA password from the first line of `FILE`")
	fl.BoolVar(&opts.NoPassword, "no-password", false, "do not encrypt the CA keys (needs --insecure)")
	fl.BoolVar(&opts.Insecure, "insecure", false, "confirm --no-password")
	fl.StringVar(&opts.Name, "name", "imictl interconnection root", "the root's common `NAME`")
	fl.StringVar(&opts.ServerID, "server-id", ca.DefaultServerID, "the management server's own serverId `ID`")
	fl.StringVar(&opts.ServerName, "server-name", "imictl management server", "the management server's display `NAME`")
	fl.StringVar(&validity, "validity", "3650d", "how long the root is valid: days (3650d) or a `DURATION`")
	cmd.MarkFlagsMutuallyExclusive("no-password", passwordFlag)
	return cmd
}

func initRun(f *cmdutil.Factory, opts *InitOptions) error {
	dataDir := cmdutil.DataDir(f, opts.DataDir)
	dir := mgmt.CADir(dataDir)
	// Refuse before asking for a password that would not be used.
	for _, name := range []string{ca.RootKeyFile, ca.RootCertFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w (%s): `imictl ca root` prints its root; to start over, choose another --data-dir", ca.ErrExists, dir)
		}
	}
	var password []byte
	if !opts.NoPassword {
		var err error
		if password, err = cmdutil.Password(f, cmdutil.PasswordOptions{File: opts.PasswordFile, FileFlag: passwordFlag, Title: "New CA password", New: true}); err != nil {
			return err
		}
	}
	c, err := ca.Init(dir, ca.InitOptions{
		CommonName: opts.Name, ServerID: opts.ServerID, ServerName: opts.ServerName,
		Password: password, Validity: opts.Validity, Now: opts.Now(),
	})
	clear(password)
	if err != nil {
		return fmt.Errorf("creating the CA in %s: %w", dir, err)
	}
	// The database too, so that the other ca and admin commands work on a
	// server that was never started.
	_, db, err := mgmt.OpenLocal(dataDir, mgmt.LocalOptions{Create: true})
	if err != nil {
		return mgmtutil.Error(fmt.Errorf("the CA is created in %s, but the database is not: %w", dir, err))
	}
	if err := db.Close(); err != nil {
		return err
	}
	if opts.NoPassword {
		fmt.Fprintln(opts.IO.ErrOut, "Warning: the CA keys are not encrypted: anyone who can read them can issue certificates.")
	}
	res := InitResult{Dir: dir, ServerID: c.SelfID, Encrypted: !opts.NoPassword, RootInfo: mgmtutil.NewRootInfo(c.Root.Cert, filepath.Join(dir, ca.RootCertFile))}
	fields := append([]output.Field{{Key: "Server id", Value: res.ServerID}, {Key: "Encrypted", Value: fmt.Sprint(res.Encrypted)}}, res.Fields()...)
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: res, Details: fields})
}

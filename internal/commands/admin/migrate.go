package admin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// MigrateOptions are the inputs of `imictl admin migrate`.
type MigrateOptions struct {
	IO       *iostreams.IOStreams
	Format   output.Format
	From, To location
	Force    bool
	Etcd     mgmtutil.EtcdFlags // TLS, auth and prefix for the etcd side
}

// location is one side of a migration: a data directory's bbolt file and
// CA, or a registry in etcd.
type location struct {
	spec      string
	dir       string   // bbolt:DIR
	endpoints []string // etcd:URL,...
}

func parseLocation(flag, spec string) (location, error) {
	kind, rest, _ := strings.Cut(spec, ":")
	l := location{spec: spec}
	switch {
	case kind == mgmtutil.StoreBbolt && rest != "":
		l.dir = rest
	case kind == mgmtutil.StoreEtcd && rest != "":
		l.endpoints = strings.Split(rest, ",")
		for _, e := range l.endpoints {
			if !ids.IsBaseURL(e) {
				return l, cmdutil.UsageError("invalid --%s %q: %q is not an etcd client URL like http://127.0.0.1:2379", flag, spec, e)
			}
		}
	default:
		return l, cmdutil.UsageError("invalid --%s %q: want bbolt:DATA-DIR or etcd:URL[,URL...]", flag, spec)
	}
	return l, nil
}

// NewCmdMigrate returns `imictl admin migrate`. runF replaces the run
// step in tests.
func NewCmdMigrate(f *cmdutil.Factory, runF func(*MigrateOptions) error) *cobra.Command {
	opts := &MigrateOptions{IO: f.IOStreams}
	var from, to string
	cmd := &cobra.Command{
		Use:   "migrate --from bbolt:DIR --to etcd:URL[,URL...]",
		Short: "Copy the management registry and its CA to another store",
		Long: `Copy a management server's registry (servers, applications, certificates,
revocations and the CRL, notifications, the audit log and the change clock,
so that IM servers' incremental queries carry on) and its CA from one store
to another: from the bbolt file of a data directory to etcd, to run the
management server highly available, or back.

Stop the management server of the source first: the copy reads a registry
nobody changes (a running server's bbolt file is locked and refused). The
target must be empty; --force clears it first. The copy is read back and
compared with the source before migrate reports success. The CA keys are
copied as they are; etcd only takes them encrypted.

The etcd side is reached with --etcd-prefix (default /imictl/mgmt/),
--etcd-ca, --etcd-cert/--etcd-key and --etcd-user/--etcd-password-file, as
for "imictl serve --store etcd".`,
		Example: `  imictl admin migrate --from bbolt:/var/lib/imictl --to etcd:https://10.0.0.1:2379,https://10.0.0.2:2379 --etcd-ca ca.crt
  imictl admin migrate --from etcd:http://127.0.0.1:2379 --to bbolt:./restored --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			var err error
			if opts.From, err = parseLocation("from", from); err != nil {
				return err
			}
			if opts.To, err = parseLocation("to", to); err != nil {
				return err
			}
			if from == to {
				return cmdutil.UsageError("--from and --to are both %s: name two different stores", from)
			}
			if runF != nil {
				return runF(opts)
			}
			return mgmtutil.Error(migrateRun(opts))
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "copy from `STORE`: bbolt:DATA-DIR or etcd:URL[,URL...]")
	cmd.Flags().StringVar(&to, "to", "", "copy to `STORE`, which must be empty")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "clear a target that already holds a registry or a CA")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	mgmtutil.AddEtcdFlags(cmd.Flags(), &opts.Etcd, false)
	cmdutil.AddNoopYesFlag(cmd) // --force is the explicit consent to clear a target
	return cmd
}

// open opens one side: read-only for the source.
func (o *MigrateOptions) open(l location, source bool) (*store.Store, ca.Files, error) {
	if l.dir != "" {
		path := mgmt.DBPath(l.dir)
		if source {
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return nil, nil, fmt.Errorf("no management database at %s: check the directory of --from", path)
			}
		} else if err := os.MkdirAll(mgmt.Dir(l.dir), 0o700); err != nil {
			return nil, nil, err
		}
		st, err := store.Open(path, store.Options{ReadOnly: source})
		if errors.Is(err, store.ErrLocked) {
			return nil, nil, fmt.Errorf("%w; migrate copies a registry nobody changes: stop the management server of %s first", err, l.dir)
		}
		return st, ca.Dir(mgmt.CADir(l.dir)), err
	}
	cfg := o.Etcd
	cfg.Endpoints = l.endpoints
	ec, err := cfg.Config()
	if err != nil {
		return nil, nil, err
	}
	st, err := store.DialEtcd(ec, store.Options{ReadOnly: source})
	if err != nil {
		return nil, nil, err
	}
	return st, st.SharedFiles(), nil
}

func migrateRun(o *MigrateOptions) error {
	src, srcCA, err := o.open(o.From, true)
	if err != nil {
		return err
	}
	defer src.Close()
	if o.To.endpoints != nil {
		if err := ca.RequireEncrypted(srcCA); err != nil {
			return err
		}
	}
	dst, dstCA, err := o.open(o.To, false)
	if err != nil {
		return err
	}
	defer dst.Close()
	empty, err := dst.IsEmpty()
	if err != nil {
		return err
	}
	_, caErr := dstCA.ReadFile(ca.RootCertFile)
	switch {
	case (!empty || caErr == nil) && !o.Force:
		return fmt.Errorf("%s already holds a registry or a CA: nothing was copied; --force clears it first", o.To.spec)
	case !empty:
		if err := dst.Clear(); err != nil {
			return err
		}
	}
	if err := dst.CopyFrom(src); err != nil {
		return err
	}
	caFiles, err := ca.Copy(dstCA, srcCA, o.Force)
	if err != nil {
		return err
	}
	sum, err := dst.Summarize()
	if err != nil {
		return err
	}
	res := migrateResult{From: o.From.spec, To: o.To.spec, Copied: sum, CAFiles: caFiles}
	return output.Print(o.IO.Out, o.Format, output.View{Data: res, Details: []output.Field{
		{Key: "From", Value: res.From},
		{Key: "To", Value: res.To},
		{Key: "Servers", Value: fmt.Sprint(sum.Servers)},
		{Key: "Applications", Value: fmt.Sprint(sum.Applications)},
		{Key: "Certificates", Value: fmt.Sprint(sum.Certificates)},
		{Key: "Notifications", Value: fmt.Sprint(sum.Outbox)},
		{Key: "Audit entries", Value: fmt.Sprint(sum.AuditEntries)},
		{Key: "Change clock", Value: fmt.Sprint(sum.ChangeClock)},
		{Key: "CA files", Value: joinOrDash(caFiles)},
	}})
}

// migrateResult is the JSON of `admin migrate`: what the target holds
// now, read back and found equal to the source.
type migrateResult struct {
	From    string        `json:"from"`
	To      string        `json:"to"`
	Copied  store.Summary `json:"copied"`
	CAFiles []string      `json:"caFiles"`
}

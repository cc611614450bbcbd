package csr

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/pki"
)

// CreateOptions are the inputs of `imictl csr create`.
type CreateOptions struct {
	IO           *iostreams.IOStreams
	Format       output.Format
	Key          string
	PasswordFile string
	Out          string
	Force        bool
	Template     pki.CSRTemplate
	Admin        string   // --admin: an administrator's request instead of a server's
	URIs         []string // --uri values, parsed into Template.URIs
}

// NewCmdCreate returns `imictl csr create`. runF replaces the run step in
// tests.
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IOStreams}
	t := &opts.Template
	cmd := &cobra.Command{
		Use:   "create --key FILE --server-id ID --out FILE",
		Short: "Create a certificate signing request for an IM server",
		Long: `Create a PKCS#10 certificate signing request that binds an SM2 key to an IM
serverId: subject CN = serverId, O = the server's name, and a URI SAN
urn:imi:server:<serverId>. It is signed with SM2-with-SM3 and the default SM2
id 1234567812345678.

A serverId has letters, digits, '_' and '-' only (at most 64). On a terminal
a missing --server-id is asked for. The key may be imictl's or OpenSSL's;
an encrypted key's password comes from --password-file,
$IMICTL_PASSWORD_FILE or a prompt.

With --admin NAME it makes an administrator's request instead (subject CN
NAME, URI SAN urn:imi:admin:NAME), for "imictl ca sign --admin NAME": the
remote admin API's certificates. Use a key of the administrator's own, never
a server's.

It prints what the request says (-o json for scripts). With --out - the
request goes to standard output and nothing else is printed.`,
		Example: `  imictl csr create --key server.key --server-id vrv_linkdood --name "VRV" --country CN --out server.csr
  imictl csr create --key server.key --server-id vrv_linkdood --dns im.example.com --uri https://im.example.com --out -
  imictl csr create --key alice.key --admin alice --out alice.csr`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if err := validateCreate(cmd, opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Key, "key", "", "the SM2 private key `FILE` to bind")
	fl.StringVar(&opts.PasswordFile, key.PasswordFileFlag, "", "read the key's password from the first line of `FILE`")
	fl.StringVar(&t.ServerID, "server-id", "", "the IM server's serverId `ID` (subject CN and URI SAN)")
	fl.StringVar(&opts.Out, "out", "", "write the request to `FILE` (- for standard output)")
	fl.StringVar(&opts.Admin, "admin", "", "make the request of administrator `NAME` (for ca sign --admin) instead of a server's")
	fl.StringVar(&t.ServerName, "name", "", "the server's `NAME` (subject O)")
	fl.StringVar(&t.Country, "country", "", "two-letter country `CODE` (subject C), e.g. CN")
	fl.StringVar(&t.Province, "province", "", "`PROVINCE` or state (subject ST)")
	fl.StringVar(&t.Locality, "locality", "", "`CITY` (subject L)")
	fl.StringVar(&t.OrganizationalUnit, "org-unit", "", "organizational `UNIT` (subject OU)")
	fl.StringSliceVar(&t.DNSNames, "dns", nil, "extra DNS `NAME` SAN (repeat or comma-separate)")
	fl.StringArrayVar(&opts.URIs, "uri", nil, "extra `URI` SAN (repeat)")
	cmdutil.AddForceFlag(cmd, &opts.Force)
	_ = cmd.MarkFlagRequired("key")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// validateCreate checks the flags before anything is read or asked.
func validateCreate(cmd *cobra.Command, opts *CreateOptions) error {
	t := &opts.Template
	if opts.Admin != "" {
		if err := pki.ValidateAdminName(opts.Admin); err != nil {
			return cmdutil.UsageError("invalid --admin: %v", err)
		}
		for _, name := range []string{"server-id", "name", "country", "province", "locality", "org-unit", "dns", "uri"} {
			if cmd.Flags().Changed(name) {
				return cmdutil.UsageError("--admin and --%s exclude each other: an administrator's request names the administrator only", name)
			}
		}
	}
	if t.ServerID != "" {
		if err := pki.ValidateServerID(t.ServerID); err != nil {
			return cmdutil.UsageError("invalid --server-id: %v", err)
		}
	}
	if c := t.Country; c != "" && !isCountryCode(c) {
		return cmdutil.UsageError("invalid --country %q: give a two-letter ISO 3166 code such as CN", c)
	}
	for _, name := range t.DNSNames {
		if !isDNSName(name) {
			return cmdutil.UsageError("invalid --dns %q: give a host name such as im.example.com", name)
		}
	}
	serverIDPrefix := pki.ServerIDURI("").String()
	for _, s := range opts.URIs {
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" {
			return cmdutil.UsageError("invalid --uri %q: give an absolute URI such as https://im.example.com", s)
		}
		if strings.HasPrefix(s, serverIDPrefix) {
			return cmdutil.UsageError("--uri %s: the serverId URI is added from --server-id; drop this --uri", s)
		}
		t.URIs = append(t.URIs, u)
	}
	if opts.Out == cmdutil.Stdio && cmd.Flag(cmdutil.OutputFlag).Changed {
		return cmdutil.UsageError("with --out - the request itself is the output: drop -o, or write the request to a file")
	}
	return nil
}

func createRun(f *cmdutil.Factory, opts *CreateOptions) error {
	t := &opts.Template
	if opts.Admin == "" {
		id, err := cmdutil.RequireValue(f, "server-id", t.ServerID, func(p prompt.Prompter) (string, error) {
			return p.Input("Server id", "", pki.ValidateServerID)
		})
		if err != nil {
			return err
		}
		t.ServerID = id
	}
	if err := key.RefuseExisting(opts.Out, opts.Force); err != nil {
		return err
	}
	k, _, err := key.ReadPrivateKey(f, opts.Key, opts.PasswordFile)
	if err != nil {
		return err
	}
	var der []byte
	if opts.Admin != "" {
		der, err = pki.CreateAdminCSR(k, opts.Admin)
	} else {
		der, err = pki.CreateCSR(k, *t)
	}
	if err != nil {
		return fmt.Errorf("cannot create the request: %w", err)
	}
	if err := cmdutil.WriteOutput(opts.IO, opts.Out, pki.EncodeCSRPEM(der), 0o644, opts.Force); err != nil {
		return err
	}
	if opts.Out == cmdutil.Stdio {
		return nil
	}
	csr, err := pki.ParseCSR(der)
	if err != nil {
		return err
	}
	info := describe(opts.Out, csr)
	if err := output.Print(opts.IO.Out, opts.Format, info.view()); err != nil {
		return err
	}
	return info.err()
}

func isCountryCode(s string) bool {
	return len(s) == 2 && isUpperASCII(s[0]) && isUpperASCII(s[1])
}

func isUpperASCII(b byte) bool { return b >= 'A' && b <= 'Z' }

// isDNSName accepts host names: dot-separated labels of letters, digits and
// '-', optionally starting with a "*." wildcard. The names are informational
// (identity is the serverId), so this only catches typos and pasted URLs.
func isDNSName(s string) bool {
	s = strings.TrimPrefix(s, "*.")
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

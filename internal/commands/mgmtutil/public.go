package mgmtutil

import (
	"github.com/emmansun/gmsm/smx509"
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/mgmt/client"
)

// Mgmt is a client of the management server's public API with what it was
// built from.
type Mgmt struct {
	*client.Public
	URL      string
	Root     *smx509.Certificate // the pinned root; nil when none is configured (unsigned calls only)
	Identity *identity.Identity  // who signs; nil for unsigned calls
}

// SignedPublic returns a client that signs as cmd's identity and
// authenticates the answers with the pinned root: needs.Cert for a
// registered server (modify, cancel, the directory), without it an
// applicant signing with the key of its CSR as --server-id (status). The
// management URL and the root are always needed.
func SignedPublic(f *cmdutil.Factory, cmd *cobra.Command, needs identity.Needs) (*Mgmt, error) {
	needs.Mgmt, needs.Root = true, true
	id, err := identity.LoadFor(f, cmd, needs)
	if err != nil {
		return nil, Error(err)
	}
	root, err := readRoot(f, id.Settings.Root)
	if err != nil {
		return nil, err
	}
	p, err := client.NewPublic(client.PublicOptions{BaseURL: id.MgmtURL, Root: root, Key: id.Key, Cert: id.Cert, ServerID: id.ServerID})
	if err != nil {
		return nil, err
	}
	return &Mgmt{Public: p, URL: id.MgmtURL, Root: root, Identity: id}, nil
}

// UnsignedPublic returns a client for the calls that need no identity
// (submit, M2, the root, the CRL): only the management URL is required.
// With useRoot, the root is read, when one is configured, to check what is
// fetched (dir bootstrap has none yet: it is fetching it).
func UnsignedPublic(f *cmdutil.Factory, cmd *cobra.Command, useRoot bool) (*Mgmt, error) {
	s, err := identity.Resolve(f, cmd)
	if err != nil {
		return nil, err
	}
	if s.Mgmt == "" {
		return nil, cmdutil.UsageError("missing the management server's base URL: pass --%s URL, set %s, or add it to a context (`imictl config set-context NAME --%s URL`)",
			identity.FlagMgmt, identity.EnvMgmt, identity.FlagMgmt)
	}
	base, err := identity.NormalizeMgmtURL(s.Mgmt)
	if err != nil {
		return nil, err
	}
	m := &Mgmt{URL: base}
	if useRoot && s.Root != "" {
		if m.Root, err = readRoot(f, s.Root); err != nil {
			return nil, err
		}
	}
	if m.Public, err = client.NewPublic(client.PublicOptions{BaseURL: base, Root: m.Root}); err != nil {
		return nil, err
	}
	return m, nil
}

// readRoot reads the pinned interconnection root: the first certificate of
// path (see identity.ReadRoots).
func readRoot(f *cmdutil.Factory, path string) (*smx509.Certificate, error) {
	roots, err := identity.ReadRoots(f, path)
	if err != nil {
		return nil, err
	}
	return roots[0], nil
}

package sns

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/wire"
)

// PeerFlags are the flags every sns command shares: which peer, how to
// authenticate it, and how to show the exchange.
type PeerFlags struct {
	To            string // peer serverId
	URL           string // peer base URL
	Prefix        string // /sns or /sns/v1
	PeerCert      string // trust this certificate for the peer, without the directory
	InsecureNoCRL bool
	Verbose       bool
	Timeout       time.Duration
}

func addPeerFlags(cmd *cobra.Command, pf *PeerFlags) {
	fs := cmd.Flags()
	fs.StringVar(&pf.To, "to", "", "the peer's serverId `ID` (its address comes from the directory unless --url)")
	fs.StringVar(&pf.URL, "url", "", "the peer's base `URL`, e.g. http://127.0.0.1:8441 (its serverId is learned unless --to)")
	AddTrustFlags(cmd, pf)
	fs.BoolVarP(&pf.Verbose, "verbose", "v", false, "show the requests and answers, headers included, on standard error")
}

// AddTrustFlags adds the identity flags and the peer flags other than the
// peer's name and --verbose (--prefix, --peer-cert, --insecure-no-crl,
// --timeout), for a command that names its peer otherwise (imictl bench).
func AddTrustFlags(cmd *cobra.Command, pf *PeerFlags) {
	identity.AddFlags(cmd)
	fs := cmd.Flags()
	fs.StringVar(&pf.Prefix, "prefix", client.PrefixSNS, "interface path `PREFIX`: /sns or /sns/v1")
	fs.StringVar(&pf.PeerCert, "peer-cert", "", "trust the peer certificate `FILE` without asking the directory (status assumed normal)")
	fs.BoolVar(&pf.InsecureNoCRL, "insecure-no-crl", false, "do not check revocation (a revoked peer would be accepted)")
	fs.DurationVar(&pf.Timeout, "timeout", 30*time.Second, "give up on a call after `DURATION`")
}

// validate checks the flags that need no file or network.
func (pf *PeerFlags) validate() error {
	if pf.To != "" {
		if err := pki.ValidateServerID(pf.To); err != nil {
			return cmdutil.UsageError("--to: %v", err)
		}
	}
	if pf.Prefix != client.PrefixSNS && pf.Prefix != client.PrefixSNSV1 {
		return cmdutil.UsageError("--prefix %q: want %s or %s", pf.Prefix, client.PrefixSNS, client.PrefixSNSV1)
	}
	if pf.Timeout <= 0 {
		return cmdutil.UsageError("--timeout must be positive")
	}
	return nil
}

// session is an authenticated way to one peer.
type session struct {
	id     *identity.Identity
	client *client.Client
	peer   client.Peer
}

// connect loads the identity, builds the client and finds the peer: --to
// and --url if given, else the server of aboutID (a user or file id; "" for
// commands about no id).
func connect(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command, pf *PeerFlags, aboutID string) (*session, error) {
	if pf.To == "" && pf.URL == "" && aboutID == "" {
		return nil, cmdutil.UsageError("which peer? pass --to SERVERID or --url URL")
	}
	id, err := identity.Load(f, cmd)
	if err != nil {
		return nil, err
	}
	var trace client.TraceFunc
	if pf.Verbose {
		t := NewTracer(f.IOStreams.ErrOut)
		t.Identity(id)
		trace = t.Trace
	}
	verify := httpsig.Options{Roots: id.Roots, NoRevocationCheck: pf.InsecureNoCRL}
	var resolvers []httpsig.Resolver
	if pf.PeerCert != "" {
		static, err := peerCertResolver(f, pf)
		if err != nil {
			return nil, err
		}
		resolvers = append(resolvers, static)
	}
	if id.MgmtURL != "" {
		// The directory: M1 and M2 through the management server's client,
		// whose CRL, once fetched, checks the peers too.
		mgmtHTTP := http.DefaultTransport.(*http.Transport).Clone()
		mgmtHTTP.DisableCompression = true
		pub, err := mgmtclient.NewPublic(mgmtclient.PublicOptions{BaseURL: id.MgmtURL, Roots: id.Roots, Key: id.Key, Cert: id.Cert,
			HTTP: &http.Client{Transport: mgmtHTTP, Timeout: pf.Timeout}, Trace: mgmtclient.TraceFunc(trace)})
		if err != nil {
			return nil, err
		}
		if !pf.InsecureNoCRL {
			verify.CRL = pub.CRLHolder()
			if err := pub.CRLHolder().Refresh(ctx); err != nil {
				return nil, unavailable(fmt.Errorf("cannot check revocation: %w; retry, or pass --insecure-no-crl to go without", err))
			}
		}
		resolvers = append(resolvers, httpsig.NewCachingResolver(pub, httpsig.CacheOptions{}))
	} else if !pf.InsecureNoCRL {
		return nil, cmdutil.UsageError("revocation cannot be checked without the management server: pass --%s URL (or set %s), or --insecure-no-crl", identity.FlagMgmt, identity.EnvMgmt)
	}
	if len(resolvers) == 0 {
		return nil, cmdutil.UsageError("cannot authenticate the peer without its certificate: pass --%s URL (the directory) or --peer-cert FILE", identity.FlagMgmt)
	}
	verify.Resolver = httpsig.Chain(resolvers...)
	c, err := client.New(client.Config{Signer: id.Signer(), Verify: verify, Prefix: pf.Prefix, Timeout: pf.Timeout, Trace: trace})
	if err != nil {
		return nil, err
	}
	s := &session{id: id, client: c}
	if s.peer, err = pf.peer(ctx, c, aboutID); err != nil {
		return nil, err
	}
	return s, nil
}

// peer names the server to call.
func (pf *PeerFlags) peer(ctx context.Context, c *client.Client, aboutID string) (client.Peer, error) {
	switch {
	case pf.URL != "":
		return client.Peer{ServerID: pf.To, BaseURL: pf.URL}, nil
	case pf.To != "":
		return lookUp(ctx, c, pf.To)
	}
	a, err := wire.ParseAddress(aboutID)
	if err != nil {
		return client.Peer{}, cmdutil.UsageError("%q: %v", aboutID, err)
	}
	if a.IsDirectory() {
		return lookUp(ctx, c, a.ServerID)
	}
	return client.PeerForAddress(a, "")
}

func lookUp(ctx context.Context, c *client.Client, serverID string) (client.Peer, error) {
	p, err := c.PeerFor(ctx, serverID)
	if errors.Is(err, httpsig.ErrUnknownServer) {
		return p, cmdutil.NotFoundError("unknown peer %q: the directory does not list it; check the serverId, or give its address with --url", serverID)
	}
	if err != nil {
		return p, mapError(err)
	}
	return p, nil
}

// peerCertResolver trusts the --peer-cert certificate for the serverId it
// names (still checked against the root and the CRL).
func peerCertResolver(f *cmdutil.Factory, pf *PeerFlags) (httpsig.Resolver, error) {
	data, err := cmdutil.ReadInput(f.IOStreams, pf.PeerCert, cmdutil.MaxInputSize)
	if err != nil {
		return nil, err
	}
	cert, err := pki.ParseCertificatePEM(data)
	if err != nil {
		return nil, fmt.Errorf("--peer-cert %s: %w", pf.PeerCert, err)
	}
	peerID, err := pki.ServerIDFromCertificate(cert)
	if err != nil {
		return nil, fmt.Errorf("--peer-cert %s: %w", pf.PeerCert, err)
	}
	if pf.To != "" && pf.To != peerID {
		return nil, cmdutil.UsageError("--peer-cert names %q but --to is %q", peerID, pf.To)
	}
	return httpsig.StaticResolver{peerID: {ServerID: peerID, Status: httpsig.StatusNormal, Certificate: cert, Address: pf.URL}}, nil
}

// mapError gives a failed call its exit code: 4 for authentication (6 when
// the refusal means "retry later"), 6 for an unreachable peer, 1 for a
// refusal (its reason is in the message).
func mapError(err error) error {
	var ae *httpsig.AuthError
	if errors.As(err, &ae) {
		return cmdutil.RefusalError(ae.Reason, err)
	}
	return unavailable(err)
}

// unavailable marks err exit 6 when it is an unreachable server: a peer,
// or the management server.
func unavailable(err error) error {
	var ue *client.UnreachableError
	if errors.As(err, &ue) || mgmtutil.Unreachable(err) {
		return cmdutil.UnavailableError(err)
	}
	return err
}

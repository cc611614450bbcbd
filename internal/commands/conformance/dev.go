package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/emmansun/gmsm/smx509"
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/identity"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/conformance"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/ca"
	mgmtclient "github.com/imictl/imictl/internal/mgmt/client"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/pki"
)

// actorDev approves the throwaway identity of --dev, in the audit log.
const actorDev = "system:conformance-dev"

// devAddress is the serverAddress the throwaway identity registers: the
// suite serves no interface, and nothing listens on the discard port.
const devAddress = "http://127.0.0.1:9"

// devIdentity registers a throwaway serverId at the management server of
// --data-dir, approved through its admin API (so only its administrator
// can use --dev), and returns the suite's configuration with it. done
// cancels the registration again.
func devIdentity(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command, o *Options, hc *http.Client) (conformance.Config, func() error, error) {
	dataDir := cmdutil.DataDir(f, o.DataDir)
	rootPath := filepath.Join(mgmt.CADir(dataDir), ca.RootCertFile)
	rootPEM, err := os.ReadFile(rootPath)
	if errors.Is(err, fs.ErrNotExist) {
		return conformance.Config{}, nil, cmdutil.UsageError("--dev needs the management server of --%s %s, which has none (no %s): run `imictl serve` there, or sign as your own identity with --key and --cert", cmdutil.DataDirFlag, dataDir, rootPath)
	}
	if err != nil {
		return conformance.Config{}, nil, err
	}
	root, err := pki.ParseCertificatePEM(rootPEM)
	if err != nil {
		return conformance.Config{}, nil, fmt.Errorf("the root of the management server in %s: %w", dataDir, err)
	}
	settings, err := identity.Resolve(f, cmd)
	if err != nil {
		return conformance.Config{}, nil, err
	}
	mgmtURL := "http://" + server.DefaultAddr
	if settings.Mgmt != "" {
		if mgmtURL, err = identity.NormalizeMgmtURL(settings.Mgmt); err != nil {
			return conformance.Config{}, nil, err
		}
	}
	admin, closer, err := mgmtclient.OpenAdmin(ctx, dataDir, mgmt.LocalOptions{CAPassword: func() ([]byte, error) {
		return nil, errors.New("the management server is not running: start it (imictl serve), the target needs it too")
	}})
	if err != nil {
		return conformance.Config{}, nil, mgmtutil.Error(err)
	}
	approve := func(ctx context.Context, id string) error {
		_, err := admin.Approve(ctx, id, actorDev, "imictl conformance --dev: a throwaway identity for the suite")
		return err
	}
	serverID, err := devServerID()
	if err != nil {
		closer.Close()
		return conformance.Config{}, nil, err
	}
	key, cert, err := conformance.Register(ctx, mgmtURL, root, serverID, devAddress, approve)
	if err != nil {
		closer.Close()
		return conformance.Config{}, nil, mgmtutil.Error(err)
	}
	done := func() error {
		defer closer.Close()
		if err := conformance.Retire(context.WithoutCancel(ctx), mgmtURL, root, key, cert, approve); err != nil {
			return fmt.Errorf("%w; cancel %s yourself (imictl register cancel) so that it is not left registered", err, serverID)
		}
		return nil
	}
	roots := smx509.NewCertPool()
	roots.AddCert(root)
	verify, err := conformance.Directory(ctx, mgmtURL, roots, key, cert, hc, o.InsecureNoCRL)
	if err != nil {
		return conformance.Config{}, nil, errors.Join(mgmtutil.Error(err), done())
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "registered the throwaway identity %s at %s; it is cancelled when the suite ends\n", serverID, mgmtURL)
	return conformance.Config{Key: key, Cert: cert, Verify: verify}, done, nil
}

// devServerID is a serverId no run used before: a cancelled serverId is
// never usable again.
func devServerID() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "conformance-" + hex.EncodeToString(b[:]), nil
}

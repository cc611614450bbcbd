// Package cert implements `imictl cert`: inspect certificates, verify them
// as an IM server would (chain, validity, key usage, serverId binding and
// revocation), print fingerprints, and tell a cron job when to renew.
package cert

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// NewCmdCert returns the `imictl cert` group.
func NewCmdCert(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("cert", "Inspect, verify and fingerprint certificates")
	cmd.Long = `Inspect, verify and fingerprint X.509 certificates (PEM or DER), and check
whether one needs renewal.

An IM server certificate binds an SM2 key to a serverId: subject CN =
serverId and one URI SAN urn:imi:server:<serverId>. "cert verify" checks it
as peers do: chain to the root, validity, key usage, the serverId binding and
revocation against a CRL.`
	cmd.AddCommand(
		NewCmdInspect(f, nil),
		NewCmdVerify(f, nil),
		NewCmdFingerprint(f, nil),
		NewCmdNeedsRenewal(f, nil),
	)
	return cmd
}

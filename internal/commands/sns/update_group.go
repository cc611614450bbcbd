package sns

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// UpdateGroupOptions are the inputs of `imictl sns update-group`.
type UpdateGroupOptions struct {
	Options
	GroupID    string
	Name, Icon string
	Settings   settingsFlags
	Request    wire.UpdateGroupInfoRequest
}

// NewCmdUpdateGroup returns `imictl sns update-group` (G9).
func NewCmdUpdateGroup(f *cmdutil.Factory, runF func(*UpdateGroupOptions) error) *cobra.Command {
	opts := &UpdateGroupOptions{Options: newOptions(f)}
	r := &opts.Request
	cmd := &cobra.Command{
		Use:   "update-group GROUPID --owner OWNERID [--group-name NAME] [--group-icon URL] [--allow-invite 1|2 --visible 1|2]",
		Short: "Change a group's name, icon or settings on its main server (G9, POST /sns/update/grpinfo)",
		Long: `Change GROUPID on its main server as OWNERID, the group's owner or an admin
(a user of your server). --group-name and --group-icon go in groupInfo;
--allow-invite and --visible, given together, are the settings (gset): 1 yes,
2 no. What is not given is not sent, and stays as it is. The main server
tells every server with members (G10, operType 7).`,
		Example: `  imictl sns update-group g1@beta-im --owner 13600002222@alpha-im --group-name "Release team"
  imictl sns update-group g1@beta-im --owner 13600002222@alpha-im --allow-invite 2 --visible 1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.GroupID = args[0]
			if err := opts.prepareFor(f, cmd, "GROUPID", opts.GroupID); err != nil {
				return err
			}
			r.GSet = opts.Settings.settings()
			if opts.Name != "" || opts.Icon != "" {
				r.GroupInfo = &wire.GroupInfo{GroupID: opts.GroupID, GroupName: opts.Name, GroupIcon: opts.Icon}
			}
			if r.GSet == nil && r.GroupInfo == nil {
				return cmdutil.UsageError("nothing to change: pass --group-name, --group-icon, or --allow-invite and --visible")
			}
			if err := r.Validate(); err != nil {
				return cmdutil.UsageError("%v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return updateGroupRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "group-name", "", "the group's new `NAME`")
	cmd.Flags().StringVar(&opts.Icon, "group-icon", "", "the group's new icon `URL`")
	addSettingsFlags(cmd, &opts.Settings)
	addOwnerFlags(cmd, &r.OwnerID, nil)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func updateGroupRun(cmd *cobra.Command, opts *UpdateGroupOptions) error {
	return envelopeCall(cmd, &opts.Options, opts.GroupID, func(ctx context.Context, s *session, raw client.CallOption) error {
		return s.client.UpdateGroup(ctx, s.peer, opts.GroupID, opts.Request, raw)
	})
}

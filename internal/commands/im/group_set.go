package im

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// GroupSetOptions are the inputs of `imictl im group set`.
type GroupSetOptions struct {
	Options
	GroupRef
	Set                  adminapi.GroupSet
	AllowInvite, Visible string // yes or no, "" unchanged
}

// NewCmdGroupSet returns `imictl im group set`.
func NewCmdGroupSet(f *cmdutil.Factory, runF func(*GroupSetOptions) error) *cobra.Command {
	opts := &GroupSetOptions{Options: newOptions(f)}
	var name, icon string
	cmd := &cobra.Command{
		Use:   "set GROUP --user USER [--name NAME] [--icon URL] [--allow-invite yes|no] [--visible yes|no]",
		Short: "Change a group's name, icon or settings, as its owner or an admin",
		Long: `Change what is given of GROUP's name, icon and settings, as the local user
USER, its owner or an admin; the rest stays as it is. For another server's
group this server asks it (G9). The main server tells every server with
members (G10, operType 7). The group is printed as it is after.`,
		Example: `  imictl im group set "Release team" --user alice --name "Release crew"
  imictl im group set "Release team" --user alice --allow-invite no --visible yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group = args[0]
			opts.prepare(f, cmd)
			if err := opts.GroupRef.validate("--user"); err != nil {
				return err
			}
			s := &opts.Set
			if cmd.Flags().Changed("name") {
				if name == "" {
					return cmdutil.UsageError("--name is empty: a group needs a name")
				}
				s.Name = &name
			}
			if cmd.Flags().Changed("icon") {
				s.Icon = &icon
			}
			var err error
			if s.IsAllow, err = yesNoFlag("allow-invite", opts.AllowInvite); err != nil {
				return err
			}
			if s.IsVisible, err = yesNoFlag("visible", opts.Visible); err != nil {
				return err
			}
			if s.Name == nil && s.Icon == nil && s.IsAllow == 0 && s.IsVisible == 0 {
				return cmdutil.UsageError("nothing to change: pass --name, --icon, --allow-invite or --visible")
			}
			if runF != nil {
				return runF(opts)
			}
			return groupSetRun(cmd, opts)
		},
	}
	addUserFlag(cmd, &opts.User, "the local `USER`, the group's owner or an admin")
	cmd.Flags().StringVar(&name, "name", "", "the group's new `NAME`")
	cmd.Flags().StringVar(&icon, "icon", "", "the group's new icon `URL` (\"\" for none)")
	addSettingFlags(cmd, &opts.AllowInvite, &opts.Visible)
	opts.addFlags(cmd)
	return cmd
}

func groupSetRun(cmd *cobra.Command, opts *GroupSetOptions) error {
	return showGroup(cmd, &opts.Options, &opts.GroupRef, func(ctx context.Context, c *adminclient.Client, id string) (adminapi.GroupView, error) {
		req := opts.Set
		req.User, req.Group = opts.User, id
		return c.SetGroup(ctx, req)
	})
}

package im

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
)

// GroupCreateOptions are the inputs of `imictl im group create`.
type GroupCreateOptions struct {
	Options
	Group                adminapi.NewGroup
	AllowInvite, Visible string // yes or no, "" for the default
}

// NewCmdGroupCreate returns `imictl im group create`.
func NewCmdGroupCreate(f *cmdutil.Factory, runF func(*GroupCreateOptions) error) *cobra.Command {
	opts := &GroupCreateOptions{Options: newOptions(f)}
	g := &opts.Group
	cmd := &cobra.Command{
		Use:   "create NAME --user USER [--icon URL] [--allow-invite yes|no] [--visible yes|no]",
		Short: "Create a group owned by a local user",
		Long: `Create the group NAME on this server, which becomes its main server, owned by
the local user USER; its id (xxxx@<serverId>) is printed. Members are then
invited ("imictl im group invite"). --allow-invite says whether members may
invite others (default yes); --visible whether the group may be found by
search and joined by asking (default no).`,
		Example: `  imictl im group create "Release team" --user alice
  imictl im group create ops --user alice --allow-invite no --visible yes -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g.Name = args[0]
			opts.prepare(f, cmd)
			if err := checkLocalUser("--user", g.User); err != nil {
				return err
			}
			if g.Name == "" {
				return cmdutil.UsageError("NAME is empty: give the group a name")
			}
			var err error
			if g.IsAllow, err = yesNoFlag("allow-invite", opts.AllowInvite); err != nil {
				return err
			}
			if g.IsVisible, err = yesNoFlag("visible", opts.Visible); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return groupCreateRun(cmd, opts)
		},
	}
	addUserFlag(cmd, &g.User, "the local `USER` who creates and owns the group")
	cmd.Flags().StringVar(&g.Icon, "icon", "", "the group's icon `URL`")
	addSettingFlags(cmd, &opts.AllowInvite, &opts.Visible)
	opts.addFlags(cmd)
	return cmd
}

// addSettingFlags adds --allow-invite and --visible, yes or no.
func addSettingFlags(cmd *cobra.Command, allow, visible *string) {
	cmd.Flags().StringVar(allow, "allow-invite", "", "whether members may invite others: `yes` or no")
	cmd.Flags().StringVar(visible, "visible", "", "whether the group may be found by search and joined by asking: `yes` or no")
}

func groupCreateRun(cmd *cobra.Command, opts *GroupCreateOptions) error {
	c := opts.Client()
	defer c.Close()
	g, err := c.CreateGroup(cmd.Context(), opts.Group)
	if err != nil {
		return opts.fail(err)
	}
	return output.Print(opts.IO.Out, opts.Format, groupView(g))
}

package im

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/commands/prompt"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
)

func newCmdUser(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("user", "Add and list the server's local users")
	cmd.AddCommand(NewCmdUserAdd(f, nil), NewCmdUserList(f, nil))
	return cmd
}

// UserAddOptions are the inputs of `imictl im user add`.
type UserAddOptions struct {
	Options
	User adminapi.NewUser
}

// NewCmdUserAdd returns `imictl im user add`.
func NewCmdUserAdd(f *cmdutil.Factory, runF func(*UserAddOptions) error) *cobra.Command {
	opts := &UserAddOptions{Options: newOptions(f)}
	u := &opts.User
	cmd := &cobra.Command{
		Use:   "add USERID --name NAME [--phone NUMBER] [--portrait URL] [--remark TEXT] [--verify-type 1|2]",
		Short: "Add a local user",
		Long: `Add a local user USERID (1-64 letters, digits, '_', '+', '-' or '.'); other
servers know it as USERID@<serverId>. --verify-type says who may ask it to be
friends: 2 (the default) anyone, 1 nobody.`,
		Example: `  imictl im user add alice --name Alice --phone 13500001111`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			u.UserID = args[0]
			opts.prepare(f, cmd)
			if err := imstore.CheckUserID(u.UserID); err != nil {
				return cmdutil.UsageError("USERID: %v", err)
			}
			if u.VerifyType != imstore.VerifyNobody && u.VerifyType != imstore.VerifyAnyone {
				return cmdutil.UsageError("--verify-type %d: want 1 (nobody may add the user) or 2 (anyone may ask)", u.VerifyType)
			}
			var err error
			u.Name, err = cmdutil.RequireValue(f, "name", u.Name, func(p prompt.Prompter) (string, error) {
				return p.Input("Display name of "+u.UserID, "", nil)
			})
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return userAddRun(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&u.Name, "name", "", "the user's display `NAME`")
	fl.StringVar(&u.PhoneNumber, "phone", "", "the user's phone `NUMBER`")
	fl.StringVar(&u.Portrait, "portrait", "", "`URL` of the user's picture")
	fl.StringVar(&u.Remark, "remark", "", "a `TEXT` about the user")
	fl.IntVar(&u.VerifyType, "verify-type", imstore.VerifyAnyone, "who may ask to be friends: `N` 1 nobody, 2 anyone")
	opts.addFlags(cmd)
	return cmd
}

func userAddRun(cmd *cobra.Command, opts *UserAddOptions) error {
	c := opts.Client()
	defer c.Close()
	u, err := c.AddUser(cmd.Context(), opts.User)
	if err != nil {
		return opts.fail(err)
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: u, Details: userDetails(u)})
}

// UserListOptions are the inputs of `imictl im user list`.
type UserListOptions struct {
	Options
}

// NewCmdUserList returns `imictl im user list`.
func NewCmdUserList(f *cmdutil.Factory, runF func(*UserListOptions) error) *cobra.Command {
	opts := &UserListOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the local users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prepare(f, cmd)
			if runF != nil {
				return runF(opts)
			}
			return userListRun(cmd, opts)
		},
	}
	opts.addFlags(cmd)
	return cmd
}

func userListRun(cmd *cobra.Command, opts *UserListOptions) error {
	c := opts.Client()
	defer c.Close()
	users, err := c.Users(cmd.Context())
	if err != nil {
		return opts.fail(err)
	}
	rows := make([][]string, 0, len(users))
	for _, u := range users {
		rows = append(rows, []string{u.UserID, u.Name, u.PhoneNumber, strconv.Itoa(u.VerifyType), u.Remark})
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: nonNil(users),
		Headers: []string{"User ID", "Name", "Phone", "Verify type", "Remark"}, Rows: rows})
}

package sns

import (
	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/client"
)

// FindUsersOptions are the inputs of `imictl sns find-users`.
type FindUsersOptions struct {
	Options
	Query string
}

// NewCmdFindUsers returns `imictl sns find-users` (S3).
func NewCmdFindUsers(f *cmdutil.Factory, runF func(*FindUsersOptions) error) *cobra.Command {
	opts := &FindUsersOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:     "find-users QUERY (--to SERVERID | --url URL)",
		Short:   "Search a peer's users by name or phone number (S3, GET /sns/find/users)",
		Example: `  imictl sns find-users 135 --to beta-im`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Query = args[0]
			if err := opts.prepare(f, cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return findUsersRun(cmd, opts)
		},
	}
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func findUsersRun(cmd *cobra.Command, opts *FindUsersOptions) error {
	s, err := opts.Connect(cmd.Context(), "")
	if err != nil {
		return err
	}
	var raw *client.RawResponse
	users, err := s.client.FindUsers(cmd.Context(), s.peer, opts.Query, client.Raw(&raw))
	return report(opts.IO, opts.Format, raw, err, func() output.View {
		v := output.View{Headers: []string{"user-id", "name", "phone", "remark"}, Rows: [][]string{}}
		for _, u := range users {
			v.Rows = append(v.Rows, []string{u.UserID, u.Name, u.PhoneNumber, u.Remark})
		}
		return v
	})
}

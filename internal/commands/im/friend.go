package im

import (
	"context"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

func newCmdFriend(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("friend", "Ask, accept, refuse and end friendships of local users")
	cmd.Long = `Friendships of local users with users of any server (S5-S7 between servers):
"add" asks, the other user accepts or refuses, and only then are both friends;
"delete" ends a friendship on both sides. "requests" lists the requests, with
the ids that accept and refuse take.`
	cmd.AddCommand(
		NewCmdFriendAdd(f, nil),
		NewCmdFriendAnswer(f, true, nil),
		NewCmdFriendAnswer(f, false, nil),
		NewCmdFriendDelete(f, nil),
		NewCmdFriendList(f, nil),
		NewCmdFriendRequests(f, nil),
	)
	return cmd
}

// userRunE is the RunE of a command on the local user USER (its one
// argument): it checks USER, then runs runF (tests) or run.
func userRunE[T any](f *cmdutil.Factory, o *Options, user *string, opts T, runF func(T) error, run func(*cobra.Command, T) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		*user = args[0]
		o.prepare(f, cmd)
		if err := checkLocalUser("USER", *user); err != nil {
			return err
		}
		if runF != nil {
			return runF(opts)
		}
		return run(cmd, opts)
	}
}

// checkLocalUser is a usage error unless id is a local user's id.
func checkLocalUser(flag, id string) error {
	if err := imstore.CheckUserID(id); err != nil {
		return cmdutil.UsageError("%s must be a local user's id: %v", flag, err)
	}
	return nil
}

// requestView shows one friend request.
func requestView(r imstore.FriendRequest) output.View {
	return output.View{Data: r, Details: []output.Field{
		{Key: "Request ID", Value: strconv.FormatUint(r.ID, 10)}, {Key: "Direction", Value: string(r.Direction)},
		{Key: "User", Value: r.User}, {Key: "Peer", Value: r.Peer}, {Key: "Remark", Value: r.Remark},
		{Key: "State", Value: string(r.State)}, {Key: "Asked", Value: when(r.At)}, {Key: "Decided", Value: when(r.DecidedAt)},
	}}
}

// FriendAddOptions are the inputs of `imictl im friend add`.
type FriendAddOptions struct {
	Options
	Peer, User, Remark string
}

// NewCmdFriendAdd returns `imictl im friend add`.
func NewCmdFriendAdd(f *cmdutil.Factory, runF func(*FriendAddOptions) error) *cobra.Command {
	opts := &FriendAddOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "add PEER --user USER [--remark TEXT]",
		Short: "Ask PEER to be the local user's friend",
		Long: `Ask PEER (user@serverId, user@host:port or another local user) to be USER's
friend. Nobody is a friend until PEER accepts; a user whose verify type is 1
refuses every request.`,
		Example: `  imictl im friend add bob@second --user alice --remark "Alice from the first server"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Peer = args[0]
			opts.prepare(f, cmd)
			if err := checkLocalUser("--user", opts.User); err != nil {
				return err
			}
			if err := checkRecipient("PEER", opts.Peer); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return friendAddRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.User, "user", "", "the local `USER` who asks")
	cmd.Flags().StringVar(&opts.Remark, "remark", "", "`TEXT` shown with the request")
	_ = cmd.MarkFlagRequired("user")
	opts.addFlags(cmd)
	return cmd
}

func friendAddRun(cmd *cobra.Command, opts *FriendAddOptions) error {
	c := opts.Client()
	defer c.Close()
	r, err := c.AddFriend(cmd.Context(), opts.User, opts.Peer, opts.Remark)
	if err != nil {
		return opts.fail(err)
	}
	return output.Print(opts.IO.Out, opts.Format, requestView(r))
}

// FriendAnswerOptions are the inputs of `imictl im friend accept` and
// `imictl im friend refuse`.
type FriendAnswerOptions struct {
	Options
	Agree      bool
	ID         uint64 // the request; 0 to find it by User and Peer
	User, Peer string
}

// NewCmdFriendAnswer returns `imictl im friend accept` (agree) or
// `imictl im friend refuse`.
func NewCmdFriendAnswer(f *cmdutil.Factory, agree bool, runF func(*FriendAnswerOptions) error) *cobra.Command {
	opts := &FriendAnswerOptions{Options: newOptions(f), Agree: agree}
	verb, doing := "refuse", "Refuse"
	if agree {
		verb, doing = "accept", "Accept"
	}
	cmd := &cobra.Command{
		Use:   verb + " (REQUEST-ID | --user USER --peer PEER)",
		Short: doing + " a friend request made to a local user",
		Long: doing + ` the pending friend request REQUEST-ID ("imictl im friend requests USER"
lists them), or the one PEER made to the local user USER. The requester's
server is told (S6).`,
		Example: "  imictl im friend " + verb + " 3\n  imictl im friend " + verb + " --user bob --peer alice@first --data-dir ./second",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prepare(f, cmd)
			if err := validateAnswer(opts, args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return friendAnswerRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.User, "user", "", "the local `USER` who was asked")
	cmd.Flags().StringVar(&opts.Peer, "peer", "", "the `PEER` who asked (user@serverId, user@host:port or a local user)")
	cmd.MarkFlagsRequiredTogether("user", "peer")
	opts.addFlags(cmd)
	return cmd
}

func validateAnswer(opts *FriendAnswerOptions, args []string) error {
	if len(args) == 1 {
		if opts.User != "" {
			return cmdutil.UsageError("give REQUEST-ID or --user and --peer, not both")
		}
		id, err := strconv.ParseUint(args[0], 10, 64)
		if err != nil || id == 0 {
			return cmdutil.UsageError("REQUEST-ID %q: want the number \"imictl im friend requests\" shows", args[0])
		}
		opts.ID = id
		return nil
	}
	if opts.User == "" {
		return cmdutil.UsageError("which request? give REQUEST-ID, or --user and --peer")
	}
	if err := checkLocalUser("--user", opts.User); err != nil {
		return err
	}
	return checkRecipient("--peer", opts.Peer)
}

func friendAnswerRun(cmd *cobra.Command, opts *FriendAnswerOptions) error {
	c := opts.Client()
	defer c.Close()
	ctx := cmd.Context()
	id := opts.ID
	if id == 0 {
		var err error
		if id, err = pendingRequest(ctx, c, opts.User, opts.Peer); err != nil {
			return opts.fail(err)
		}
	}
	r, err := c.AnswerFriend(ctx, id, opts.Agree)
	if err != nil {
		return opts.fail(err)
	}
	return output.Print(opts.IO.Out, opts.Format, requestView(r))
}

// pendingRequest finds the pending request peer made to user.
func pendingRequest(ctx context.Context, c *adminclient.Client, user, peer string) (uint64, error) {
	want, err := canonicalPeer(ctx, c, peer)
	if err != nil {
		return 0, err
	}
	reqs, err := c.FriendRequests(ctx, user, imstore.RequestPending)
	if err != nil {
		return 0, err
	}
	for _, r := range reqs {
		if r.Direction != imstore.Incoming {
			continue
		}
		if got, err := wire.ParseAddress(r.Peer); err == nil && got.String() == want {
			return r.ID, nil
		}
	}
	return 0, cmdutil.NotFoundError("%s has no pending friend request from %s: see imictl im friend requests %s", user, peer, user)
}

// canonicalPeer is peer as the server records it: user@domain, a local
// user's bare id completed with the server's serverId.
func canonicalPeer(ctx context.Context, c *adminclient.Client, peer string) (string, error) {
	if !strings.Contains(peer, "@") {
		st, err := c.Status(ctx)
		if err != nil {
			return "", err
		}
		peer += "@" + st.ServerID
	}
	a, err := wire.ParseAddress(peer)
	if err != nil {
		return "", err
	}
	return a.String(), nil
}

// FriendDeleteOptions are the inputs of `imictl im friend delete`.
type FriendDeleteOptions struct {
	Options
	Peer, User string
}

// deletedFriend is the JSON form of a deletion.
type deletedFriend struct {
	User    string `json:"user"`
	Peer    string `json:"peer"`
	Existed bool   `json:"existed"`
}

// NewCmdFriendDelete returns `imictl im friend delete`.
func NewCmdFriendDelete(f *cmdutil.Factory, runF func(*FriendDeleteOptions) error) *cobra.Command {
	opts := &FriendDeleteOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "delete PEER --user USER",
		Short: "End the local user's friendship with PEER, on both sides",
		Long: `End USER's friendship with PEER: here at once, and at PEER's server (S7).
Deleting a friendship that does not exist succeeds ("existed": false).`,
		Example: `  imictl im friend delete bob@second --user alice`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Peer = args[0]
			opts.prepare(f, cmd)
			if err := checkLocalUser("--user", opts.User); err != nil {
				return err
			}
			if err := checkRecipient("PEER", opts.Peer); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return friendDeleteRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.User, "user", "", "the local `USER`")
	_ = cmd.MarkFlagRequired("user")
	opts.addFlags(cmd)
	return cmd
}

func friendDeleteRun(cmd *cobra.Command, opts *FriendDeleteOptions) error {
	c := opts.Client()
	defer c.Close()
	existed, err := c.DeleteFriend(cmd.Context(), opts.User, opts.Peer)
	if err != nil {
		return opts.fail(err)
	}
	res := deletedFriend{User: opts.User, Peer: opts.Peer, Existed: existed}
	what := "deleted"
	if !existed {
		what = "there was no such friendship"
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: res, Details: []output.Field{
		{Key: "User", Value: res.User}, {Key: "Peer", Value: res.Peer}, {Key: "Result", Value: what},
	}})
}

// FriendListOptions are the inputs of `imictl im friend list`.
type FriendListOptions struct {
	Options
	User string
}

// NewCmdFriendList returns `imictl im friend list`.
func NewCmdFriendList(f *cmdutil.Factory, runF func(*FriendListOptions) error) *cobra.Command {
	opts := &FriendListOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:     "list USER",
		Short:   "List the local user's friends",
		Example: `  imictl im friend list alice`,
		Args:    cobra.ExactArgs(1),
		RunE:    userRunE(f, &opts.Options, &opts.User, opts, runF, friendListRun),
	}
	opts.addFlags(cmd)
	return cmd
}

func friendListRun(cmd *cobra.Command, opts *FriendListOptions) error {
	c := opts.Client()
	defer c.Close()
	friends, err := c.Friends(cmd.Context(), opts.User)
	if err != nil {
		return opts.fail(err)
	}
	rows := make([][]string, 0, len(friends))
	for _, fr := range friends {
		rows = append(rows, []string{fr.Peer, fr.Profile.Name, fr.Remark, when(fr.Since)})
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: nonNil(friends),
		Headers: []string{"Peer", "Name", "Remark", "Since"}, Rows: rows})
}

// FriendRequestsOptions are the inputs of `imictl im friend requests`.
type FriendRequestsOptions struct {
	Options
	User  string
	State string
}

// NewCmdFriendRequests returns `imictl im friend requests`.
func NewCmdFriendRequests(f *cmdutil.Factory, runF func(*FriendRequestsOptions) error) *cobra.Command {
	opts := &FriendRequestsOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:     "requests USER [--state pending|accepted|refused]",
		Short:   "List the friend requests the local user made or received",
		Example: `  imictl im friend requests bob --state pending`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			opts.prepare(f, cmd)
			if err := checkLocalUser("USER", opts.User); err != nil {
				return err
			}
			switch imstore.RequestState(opts.State) {
			case "", imstore.RequestPending, imstore.RequestAccepted, imstore.RequestRefused:
			default:
				return cmdutil.UsageError("--state %q: want pending, accepted or refused", opts.State)
			}
			if runF != nil {
				return runF(opts)
			}
			return friendRequestsRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.State, "state", "", "only requests in `STATE`: pending, accepted or refused")
	opts.addFlags(cmd)
	return cmd
}

func friendRequestsRun(cmd *cobra.Command, opts *FriendRequestsOptions) error {
	c := opts.Client()
	defer c.Close()
	reqs, err := c.FriendRequests(cmd.Context(), opts.User, imstore.RequestState(opts.State))
	if err != nil {
		return opts.fail(err)
	}
	rows := make([][]string, 0, len(reqs))
	for _, r := range reqs {
		rows = append(rows, []string{strconv.FormatUint(r.ID, 10), string(r.Direction), r.Peer, string(r.State), r.Remark, when(r.At)})
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: nonNil(reqs),
		Headers: []string{"ID", "Direction", "Peer", "State", "Remark", "Asked"}, Rows: rows})
}

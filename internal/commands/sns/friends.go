package sns

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// agreeOrRefuse is the answer of --agree (wire.Yes) or --refuse (wire.No),
// and a usage error when neither is given.
func agreeOrRefuse(agree, refuse bool) (int, error) {
	switch {
	case agree:
		return wire.Yes, nil
	case refuse:
		return wire.No, nil
	default:
		return 0, cmdutil.UsageError("pass --agree or --refuse")
	}
}

// addOwnerFlags adds --owner (the local user acting) and the flags of the
// userInfo that describes it to the peer (S5, S6).
func addOwnerFlags(cmd *cobra.Command, owner *string, info *wire.UserInfo) {
	cmd.Flags().StringVar(owner, "owner", "", "the acting user `ID` (a user of your server)")
	_ = cmd.MarkFlagRequired("owner")
	if info == nil {
		return
	}
	cmd.Flags().StringVar(&info.Name, "name", "", "the acting user's display `NAME`, sent in userInfo")
	cmd.Flags().StringVar(&info.PhoneNumber, "phone", "", "the acting user's phone `NUMBER`, sent in userInfo")
	cmd.Flags().StringVar(&info.Portrait, "portrait", "", "the acting user's portrait `URL`, sent in userInfo")
}

// AddFriendOptions are the inputs of `imictl sns add-friend`.
type AddFriendOptions struct {
	Options
	Request wire.AddFriendRequest
}

// NewCmdAddFriend returns `imictl sns add-friend` (S5).
func NewCmdAddFriend(f *cmdutil.Factory, runF func(*AddFriendOptions) error) *cobra.Command {
	opts := &AddFriendOptions{Options: newOptions(f)}
	r := &opts.Request
	cmd := &cobra.Command{
		Use:     "add-friend USERID --owner OWNERID [--remark TEXT]",
		Short:   "Ask USERID to become OWNERID's friend (S5, POST /sns/add/users)",
		Example: `  imictl sns add-friend 13500001111@beta-im --owner 13600002222@alpha-im --name Ann --remark "hi, it's Ann"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r.UserID = args[0]
			r.UserInfo.UserID = r.OwnerID
			if err := opts.prepare(f, cmd); err != nil {
				return err
			}
			if err := r.Validate(); err != nil {
				return cmdutil.UsageError("%v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return addFriendRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&r.Remark, "remark", "", "`TEXT` shown with the request")
	addOwnerFlags(cmd, &r.OwnerID, &r.UserInfo)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func addFriendRun(cmd *cobra.Command, opts *AddFriendOptions) error {
	return envelopeCall(cmd, &opts.Options, opts.Request.UserID, func(ctx context.Context, s *session, raw client.CallOption) error {
		return s.client.AddFriend(ctx, s.peer, opts.Request, raw)
	})
}

// RespondFriendOptions are the inputs of `imictl sns respond-friend`.
type RespondFriendOptions struct {
	Options
	Request       wire.RespondFriendRequest
	Agree, Refuse bool
}

// NewCmdRespondFriend returns `imictl sns respond-friend` (S6).
func NewCmdRespondFriend(f *cmdutil.Factory, runF func(*RespondFriendOptions) error) *cobra.Command {
	opts := &RespondFriendOptions{Options: newOptions(f)}
	r := &opts.Request
	cmd := &cobra.Command{
		Use:     "respond-friend USERID --owner OWNERID (--agree | --refuse)",
		Short:   "Answer USERID's friend request to OWNERID (S6, POST /sns/rsp/users)",
		Example: `  imictl sns respond-friend 13500001111@beta-im --owner 13600002222@alpha-im --agree --name Ann`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r.UserID = args[0]
			r.UserInfo.UserID = r.OwnerID
			if err := opts.prepare(f, cmd); err != nil {
				return err
			}
			var err error
			if r.IsAgree, err = agreeOrRefuse(opts.Agree, opts.Refuse); err != nil {
				return err
			}
			if err := r.Validate(); err != nil {
				return cmdutil.UsageError("%v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return respondFriendRun(cmd, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Agree, "agree", false, "accept the request (isAgree 1)")
	cmd.Flags().BoolVar(&opts.Refuse, "refuse", false, "decline the request (isAgree 2)")
	cmd.MarkFlagsMutuallyExclusive("agree", "refuse")
	addOwnerFlags(cmd, &r.OwnerID, &r.UserInfo)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func respondFriendRun(cmd *cobra.Command, opts *RespondFriendOptions) error {
	return envelopeCall(cmd, &opts.Options, opts.Request.UserID, func(ctx context.Context, s *session, raw client.CallOption) error {
		return s.client.RespondFriend(ctx, s.peer, opts.Request, raw)
	})
}

// DelFriendOptions are the inputs of `imictl sns del-friend`.
type DelFriendOptions struct {
	Options
	Request wire.DelFriendRequest
}

// NewCmdDelFriend returns `imictl sns del-friend` (S7).
func NewCmdDelFriend(f *cmdutil.Factory, runF func(*DelFriendOptions) error) *cobra.Command {
	opts := &DelFriendOptions{Options: newOptions(f)}
	r := &opts.Request
	cmd := &cobra.Command{
		Use:     "del-friend USERID --owner OWNERID",
		Short:   "Tell USERID's server that OWNERID ended the friendship (S7, POST /sns/del/users)",
		Example: `  imictl sns del-friend 13500001111@beta-im --owner 13600002222@alpha-im`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r.UserID = args[0]
			if err := opts.prepare(f, cmd); err != nil {
				return err
			}
			if err := r.Validate(); err != nil {
				return cmdutil.UsageError("%v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return delFriendRun(cmd, opts)
		},
	}
	addOwnerFlags(cmd, &r.OwnerID, nil)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func delFriendRun(cmd *cobra.Command, opts *DelFriendOptions) error {
	return envelopeCall(cmd, &opts.Options, opts.Request.UserID, func(ctx context.Context, s *session, raw client.CallOption) error {
		return s.client.DelFriend(ctx, s.peer, opts.Request, raw)
	})
}

package sns

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// AnswerGroupInviteOptions are the inputs of `imictl sns answer-group-invite`.
type AnswerGroupInviteOptions struct {
	Options
	GroupID       string
	Reply         wire.InviteReply
	Agree, Refuse bool
}

// NewCmdAnswerGroupInvite returns `imictl sns answer-group-invite` (G2).
func NewCmdAnswerGroupInvite(f *cmdutil.Factory, runF func(*AnswerGroupInviteOptions) error) *cobra.Command {
	opts := &AnswerGroupInviteOptions{Options: newOptions(f)}
	r := &opts.Reply
	cmd := &cobra.Command{
		Use:   "answer-group-invite GROUPID --owner OWNERID (--agree | --refuse)",
		Short: "Answer an invitation into a group, to its main server (G2, POST /sns/invite/grprep)",
		Long: `Tell the group's main server that OWNERID, a user of your server invited into
GROUPID, agrees to join (respResult 1) or refuses (2). On --agree the main
server adds the user and tells every server with members (G10, operType 1).`,
		Example: `  imictl sns answer-group-invite g1@beta-im --owner 13600002222@alpha-im --agree`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.GroupID = args[0]
			if err := opts.prepareFor(f, cmd, "GROUPID", opts.GroupID); err != nil {
				return err
			}
			var err error
			if r.RespResult, err = agreeOrRefuse(opts.Agree, opts.Refuse); err != nil {
				return err
			}
			if err := r.Validate(); err != nil {
				return cmdutil.UsageError("%v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return answerGroupInviteRun(cmd, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Agree, "agree", false, "join the group (respResult 1)")
	cmd.Flags().BoolVar(&opts.Refuse, "refuse", false, "decline the invitation (respResult 2)")
	cmd.MarkFlagsMutuallyExclusive("agree", "refuse")
	addOwnerFlags(cmd, &r.OwnerID, nil)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func answerGroupInviteRun(cmd *cobra.Command, opts *AnswerGroupInviteOptions) error {
	return envelopeCall(cmd, &opts.Options, opts.GroupID, func(ctx context.Context, s *session, raw client.CallOption) error {
		return s.client.AnswerGroupInvite(ctx, s.peer, opts.GroupID, opts.Reply, raw)
	})
}

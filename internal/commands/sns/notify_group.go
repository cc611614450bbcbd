package sns

import (
	"context"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// NotifyGroupOptions are the inputs of `imictl sns notify-group`.
type NotifyGroupOptions struct {
	Options
	GroupID  string
	OperType string // as given: 1-7 or a name of operTypes
	Users    []string
	Settings settingsFlags
	Request  wire.GroupNotifyRequest
}

// operTypes names G10's operType values, in order from 1.
var operTypes = []string{"add", "remove", "dissolve", "set-admin", "unset-admin", "transfer", "info"}

// parseOperType reads --oper-type: 1-7 or its name.
func parseOperType(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil && n >= wire.OperAddMembers && n <= wire.OperInfoChanged {
		return n, nil
	}
	for i, name := range operTypes {
		if strings.EqualFold(s, name) {
			return i + 1, nil
		}
	}
	return 0, cmdutil.UsageError("--oper-type %q: want 1-7 or %s", s, strings.Join(operTypes, ", "))
}

// NewCmdNotifyGroup returns `imictl sns notify-group` (G10).
func NewCmdNotifyGroup(f *cmdutil.Factory, runF func(*NotifyGroupOptions) error) *cobra.Command {
	opts := &NotifyGroupOptions{Options: newOptions(f)}
	r := &opts.Request
	cmd := &cobra.Command{
		Use:   "notify-group GROUPID --oper-type TYPE --oper-user USERID [--user USERID...] [--allow-invite 1|2 --visible 1|2] (--to SERVERID | --url URL)",
		Short: "Tell another server what changed in a group (G10, POST /sns/notify/grpnotify)",
		Long: `As the main server of GROUPID, tell a server with members what OPER-USER did
to the --users: --oper-type 1 (add) added them, 2 (remove) removed them or
they quit, 3 (dissolve) dissolved the group, 4 (set-admin) and 5
(unset-admin) made them admins or not, 6 (transfer) gave them the group, 7
(info) changed the group's record or settings (sent as grpset with
--allow-invite and --visible). Users are sent as userInfo with their ids
only; the operator's name with --oper-name.`,
		Example: `  imictl sns notify-group g1@alpha-im --oper-type add --oper-user 13600002222@alpha-im --user 13500001111@beta-im --to beta-im
  imictl sns notify-group g1@alpha-im --oper-type 7 --oper-user 13600002222@alpha-im --allow-invite 1 --visible 2 --to beta-im`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.GroupID = args[0]
			if err := opts.prepareFor(f, cmd, "GROUPID", opts.GroupID); err != nil {
				return err
			}
			var err error
			if r.OperType, err = parseOperType(opts.OperType); err != nil {
				return err
			}
			r.GrpSet = opts.Settings.settings()
			r.Users = make([]wire.UserInfo, 0, len(opts.Users))
			for _, id := range opts.Users {
				r.Users = append(r.Users, wire.UserInfo{UserID: id})
			}
			if err := r.Validate(); err != nil {
				return cmdutil.UsageError("%v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return notifyGroupRun(cmd, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.OperType, "oper-type", "", "what happened: `TYPE` 1-7 or add, remove, dissolve, set-admin, unset-admin, transfer, info")
	fs.StringVar(&r.OperUser.UserID, "oper-user", "", "the operator's user `ID` (operUser)")
	fs.StringVar(&r.OperUser.Name, "oper-name", "", "the operator's display `NAME`, sent in operUser")
	fs.StringArrayVar(&opts.Users, "user", nil, "a user `ID` the operation was about (repeat the flag for each)")
	_ = cmd.MarkFlagRequired("oper-type")
	_ = cmd.MarkFlagRequired("oper-user")
	addSettingsFlags(cmd, &opts.Settings)
	addPeerFlags(cmd, &opts.Peer)
	return cmd
}

func notifyGroupRun(cmd *cobra.Command, opts *NotifyGroupOptions) error {
	return envelopeCall(cmd, &opts.Options, "", func(ctx context.Context, s *session, raw client.CallOption) error {
		return s.client.NotifyGroup(ctx, s.peer, opts.GroupID, opts.Request, raw)
	})
}

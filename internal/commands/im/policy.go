package im

import (
	"context"
	"slices"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
)

func newCmdPolicy(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("policy", "Show and change the white and black lists of peer servers")
	cmd.Long = `The white list and the black list of peer serverIds, checked before anything
else on every call, in both directions. A server on the black list is always
refused; when the white list is not empty, only the servers on it are
accepted. The management server is always allowed, on neither list: the
directory, suspensions and revocations come from it. Changes take effect at
once and are kept across restarts (unless the configuration file sets the
lists, which then win at each start).`
	cmd.AddCommand(NewCmdPolicyShow(f, nil), NewCmdPolicyList(f, "allow", nil), NewCmdPolicyList(f, "deny", nil), NewCmdPolicySet(f, nil))
	return cmd
}

// policyView shows the lists in force.
func policyView(p imstore.Policy) output.View {
	p.Allow, p.Deny = nonNil(p.Allow), nonNil(p.Deny)
	return output.View{Data: p, Details: []output.Field{
		{Key: "Allow", Value: joinOr(p.Allow, "(no white list: every server not denied)")},
		{Key: "Deny", Value: joinOr(p.Deny, "(none)")},
		{Key: "Updated", Value: when(p.UpdatedAt)},
	}}
}

// checkServerIDs is a usage error for a malformed serverId.
func checkServerIDs(what string, list []string) error {
	for _, id := range list {
		if err := ids.ValidateServerID(id); err != nil {
			return cmdutil.UsageError("%s: %v", what, err)
		}
	}
	return nil
}

// PolicyShowOptions are the inputs of `imictl im policy show`.
type PolicyShowOptions struct {
	Options
}

// NewCmdPolicyShow returns `imictl im policy show`.
func NewCmdPolicyShow(f *cmdutil.Factory, runF func(*PolicyShowOptions) error) *cobra.Command {
	opts := &PolicyShowOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show the white and black lists in force",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prepare(f, cmd)
			if runF != nil {
				return runF(opts)
			}
			c := opts.Client()
			defer c.Close()
			p, err := c.Policy(cmd.Context())
			if err != nil {
				return opts.fail(err)
			}
			return output.Print(opts.IO.Out, opts.Format, policyView(p))
		},
	}
	opts.addFlags(cmd)
	return cmd
}

// PolicyListOptions are the inputs of `imictl im policy allow` and
// `imictl im policy deny`.
type PolicyListOptions struct {
	Options
	List    string // "allow" or "deny"
	Servers []string
	Remove  bool
}

// NewCmdPolicyList returns `imictl im policy allow` or `imictl im policy
// deny` (list names which).
func NewCmdPolicyList(f *cmdutil.Factory, list string, runF func(*PolicyListOptions) error) *cobra.Command {
	opts := &PolicyListOptions{Options: newOptions(f), List: list}
	which := "white"
	if list == "deny" {
		which = "black"
	}
	cmd := &cobra.Command{
		Use:     list + " SERVERID... [--remove]",
		Short:   "Add servers to the " + which + " list (or remove them)",
		Example: "  imictl im policy " + list + " second third\n  imictl im policy " + list + " third --remove",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Servers = args
			opts.prepare(f, cmd)
			if err := checkServerIDs("SERVERID", args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return policyListRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Remove, "remove", false, "remove the servers from the "+which+" list instead")
	opts.addFlags(cmd)
	return cmd
}

// policyListRun reads the lists, edits one and writes both back. Two
// operators editing at the same instant could lose one edit; this is a
// local tool for one operator.
func policyListRun(ctx context.Context, opts *PolicyListOptions) error {
	c := opts.Client()
	defer c.Close()
	p, err := c.Policy(ctx)
	if err != nil {
		return opts.fail(err)
	}
	list := &p.Allow
	if opts.List == "deny" {
		list = &p.Deny
	}
	for _, id := range opts.Servers {
		i := slices.Index(*list, id)
		switch {
		case opts.Remove && i >= 0:
			*list = slices.Delete(*list, i, i+1)
		case !opts.Remove && i < 0:
			*list = append(*list, id)
		}
	}
	return setPolicy(ctx, c, opts.Options, p.Allow, p.Deny)
}

func setPolicy(ctx context.Context, c *adminclient.Client, opts Options, allow, deny []string) error {
	p, err := c.SetPolicy(ctx, nonNil(allow), nonNil(deny))
	if err != nil {
		return opts.fail(err)
	}
	return output.Print(opts.IO.Out, opts.Format, policyView(p))
}

// PolicySetOptions are the inputs of `imictl im policy set`.
type PolicySetOptions struct {
	Options
	Allow, Deny []string
}

// NewCmdPolicySet returns `imictl im policy set`.
func NewCmdPolicySet(f *cmdutil.Factory, runF func(*PolicySetOptions) error) *cobra.Command {
	opts := &PolicySetOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "set [--allow SERVERID,...] [--deny SERVERID,...]",
		Short: "Replace both lists",
		Long: `Replace the white list and the black list; a list not given is emptied, so
"imictl im policy set" alone removes both.`,
		Example: `  imictl im policy set --allow second,third
  imictl im policy set --deny rogue`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prepare(f, cmd)
			if err := checkServerIDs("--allow", opts.Allow); err != nil {
				return err
			}
			if err := checkServerIDs("--deny", opts.Deny); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			c := opts.Client()
			defer c.Close()
			return setPolicy(cmd.Context(), c, opts.Options, opts.Allow, opts.Deny)
		},
	}
	cmd.Flags().StringSliceVar(&opts.Allow, "allow", nil, "the white list: `SERVERID`s, comma-separated (empty: no white list)")
	cmd.Flags().StringSliceVar(&opts.Deny, "deny", nil, "the black list: `SERVERID`s, comma-separated")
	opts.addFlags(cmd)
	return cmd
}

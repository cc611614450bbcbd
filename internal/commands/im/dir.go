package im

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
)

func newCmdDir(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.NewGroupCmd("dir", "Show or refresh the IM server's copy of the directory")
	cmd.Long = `The IM server keeps a copy of the management server's directory (M1): the
servers it may talk to, their addresses and status. It refreshes it every few
minutes and when the management server notifies a change; "refresh" asks
for the changes now.`
	cmd.AddCommand(NewCmdDirList(f, nil), NewCmdDirRefresh(f, nil))
	return cmd
}

// DirOptions are the inputs of `imictl im dir list` and `refresh`.
type DirOptions struct {
	Options
}

// NewCmdDirList returns `imictl im dir list`.
func NewCmdDirList(f *cmdutil.Factory, runF func(*DirOptions) error) *cobra.Command {
	opts := &DirOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the servers in the IM server's copy of the directory",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prepare(f, cmd)
			if runF != nil {
				return runF(opts)
			}
			c := opts.Client()
			defer c.Close()
			entries, err := c.Directory(cmd.Context())
			if err != nil {
				return opts.fail(err)
			}
			rows := make([][]string, 0, len(entries))
			for _, e := range entries {
				rows = append(rows, []string{e.ServerID, e.ServerName, e.Address, strconv.Itoa(e.Status), when(e.UpdatedAt)})
			}
			return output.Print(opts.IO.Out, opts.Format, output.View{Data: nonNil(entries),
				Headers: []string{"Server ID", "Name", "Address", "Status", "Updated"}, Rows: rows})
		},
	}
	opts.addFlags(cmd)
	return cmd
}

// NewCmdDirRefresh returns `imictl im dir refresh`.
func NewCmdDirRefresh(f *cmdutil.Factory, runF func(*DirOptions) error) *cobra.Command {
	opts := &DirOptions{Options: newOptions(f)}
	cmd := &cobra.Command{
		Use:   "refresh",
		Short: "Ask the management server for the directory's changes now",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.prepare(f, cmd)
			if runF != nil {
				return runF(opts)
			}
			c := opts.Client()
			defer c.Close()
			n, err := c.RefreshDirectory(cmd.Context())
			if err != nil {
				return opts.fail(err)
			}
			return output.Print(opts.IO.Out, opts.Format, output.View{Data: adminapi.Count{Count: n},
				Details: []output.Field{{Key: "Records changed", Value: strconv.Itoa(n)}}})
		},
	}
	opts.addFlags(cmd)
	return cmd
}

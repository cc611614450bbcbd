package admin

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/mgmtutil"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// Server is a registered server as the admin commands show it. Its JSON
// form is their scripting contract.
type Server struct {
	ServerID      string    `json:"serverId"`
	ServerName    string    `json:"serverName"`
	ServerAddress string    `json:"serverAddress"`
	ServerType    string    `json:"serverType,omitempty"`
	Area          string    `json:"area,omitempty"`
	ContactName   string    `json:"contactName"`
	ContactEmail  string    `json:"contactEmail"`
	ContactMobile string    `json:"contactMobile"`
	OwnerID       string    `json:"ownerId"`
	Status        string    `json:"status"` // normal, suspended or cancelled
	CertSerial    string    `json:"certSerial,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

func newServer(s store.Server) Server {
	return Server{
		ServerID: s.ServerID, ServerName: s.ServerName, ServerAddress: s.ServerAddress,
		ServerType: s.ServerType, Area: s.Area, ContactName: s.ContactName, ContactEmail: s.ContactEmail,
		ContactMobile: s.ContactMobile, OwnerID: s.OwnerID, Status: s.Status.String(), CertSerial: s.CertSerial,
		CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(),
	}
}

func (s Server) view() output.View {
	return output.View{Data: s, Details: []output.Field{
		{Key: "Server id", Value: s.ServerID},
		{Key: "Name", Value: s.ServerName},
		{Key: "Address", Value: s.ServerAddress},
		{Key: "Type", Value: orDash(s.ServerType)},
		{Key: "Area", Value: orDash(s.Area)},
		{Key: "Contact", Value: s.ContactName + " <" + s.ContactEmail + "> " + s.ContactMobile},
		{Key: "Owner id", Value: s.OwnerID},
		{Key: "Status", Value: s.Status},
		{Key: "Certificate", Value: orDash(s.CertSerial)},
		{Key: "Created", Value: stamp(s.CreatedAt)},
		{Key: "Updated", Value: stamp(s.UpdatedAt)},
	}}
}

// ServersOptions are the inputs of `imictl admin servers`.
type ServersOptions struct {
	IO       *iostreams.IOStreams
	Format   output.Format
	ServerID string // show this one only
	Status   string
	Admin    mgmtutil.AdminFlags
}

// NewCmdServers returns `imictl admin servers`. runF replaces the run step
// in tests.
func NewCmdServers(f *cmdutil.Factory, runF func(*ServersOptions) error) *cobra.Command {
	opts := &ServersOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "servers [SERVERID]",
		Short: "List the registered servers, or show one",
		Long: `List every registered server, cancelled ones included, with its status and
current certificate; with a SERVERID, show that one in full (its contacts
and owner too, which the public directory does not show).`,
		Example: `  imictl admin servers
  imictl admin servers --status suspended -o json
  imictl admin servers vrv_linkdood`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if len(args) == 1 {
				opts.ServerID = args[0]
				if err := pki.ValidateServerID(opts.ServerID); err != nil {
					return cmdutil.UsageError("invalid serverId %q: %v", opts.ServerID, err)
				}
				if opts.Status != "" {
					return cmdutil.UsageError("a SERVERID shows that server only: drop --status")
				}
			}
			switch opts.Status {
			case "", store.StatusNormal.String(), store.StatusSuspended.String(), store.StatusCancelled.String():
			default:
				return cmdutil.UsageError("invalid --status %q: want normal, suspended or cancelled", opts.Status)
			}
			if runF != nil {
				return runF(opts)
			}
			return serversRun(f, cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Status, "status", "", "only servers in `STATUS` normal, suspended or cancelled")
	mgmtutil.AddAdminFlags(cmd, &opts.Admin, caPasswordFlag)
	return cmd
}

func serversRun(f *cmdutil.Factory, cmd *cobra.Command, opts *ServersOptions) error {
	ctx := cmd.Context()
	adm, done, err := opts.Admin.Open(ctx, f)
	if err != nil {
		return err
	}
	defer done()
	if opts.ServerID != "" {
		s, err := adm.Server(ctx, opts.ServerID)
		if err != nil {
			return mgmtutil.Error(err)
		}
		return output.Print(opts.IO.Out, opts.Format, newServer(s).view())
	}
	all, err := adm.Servers(ctx)
	if err != nil {
		return mgmtutil.Error(err)
	}
	list := []Server{}
	var rows [][]string
	for _, s := range all {
		v := newServer(s)
		if opts.Status != "" && v.Status != opts.Status {
			continue
		}
		list = append(list, v)
		rows = append(rows, []string{v.ServerID, v.ServerName, v.Status, v.ServerAddress, orDash(v.CertSerial), stamp(v.UpdatedAt)})
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{Data: list, Headers: []string{"serverId", "name", "status", "address", "certSerial", "updated"}, Rows: rows})
}

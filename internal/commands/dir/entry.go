package dir

import (
	"fmt"

	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// Entry is one server of the directory as the dir commands show it: M1's
// record with table 1's names and the status as a word.
type Entry struct {
	ServerID      string `json:"serverId"`
	ServerName    string `json:"serverName"`
	ServerType    string `json:"serverType"`
	ServerAddress string `json:"serverAddress"`
	Status        string `json:"status"` // normal, suspended or cancelled
	ContactName   string `json:"contactName"`
	ContactEmail  string `json:"contactEmail"`
	ContactMobile string `json:"contactMobile"`
	Area          string `json:"area,omitempty"`
}

func newEntry(r api.ServerRecord) Entry {
	return Entry{
		ServerID: r.ServerID, ServerName: r.ServerName, ServerType: r.ProductType, ServerAddress: r.ServerAddress,
		Status: statusWord(r.Status), ContactName: r.ContactName, ContactEmail: r.ContactEmail,
		ContactMobile: r.ContactMobile, Area: r.Area,
	}
}

// statusWord names table 1's serverStatus; an unknown value stays visible.
func statusWord(s int) string {
	switch s {
	case api.ServerNormal, api.ServerSuspended, api.ServerCancelled:
		return store.Status(s).String()
	}
	return fmt.Sprintf("unknown (%d)", s)
}

func (e Entry) fields() []output.Field {
	fields := []output.Field{
		{Key: "Server id", Value: e.ServerID},
		{Key: "Name", Value: e.ServerName},
		{Key: "Type", Value: orDash(e.ServerType)},
		{Key: "Address", Value: e.ServerAddress},
		{Key: "Status", Value: e.Status},
		{Key: "Contact", Value: e.ContactName + " <" + e.ContactEmail + "> " + e.ContactMobile},
	}
	if e.Area != "" {
		fields = append(fields, output.Field{Key: "Area", Value: e.Area})
	}
	return fields
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

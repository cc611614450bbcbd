package admin

import (
	"strings"
	"time"

	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// Request is an application as the admin commands show it. Its JSON form
// is their scripting contract.
type Request struct {
	ID       string     `json:"id"` // req-<n>
	Kind     store.Kind `json:"kind"`
	ServerID string     `json:"serverId"`
	State    string     `json:"state"`
	// Fields are the registration fields it sets, by wire name: all of them
	// for a new server, the changed ones for a modification, none for a
	// cancellation.
	Fields map[string]string `json:"fields"`
	// CSR (PEM) and the fingerprints of its public key, which the reviewer
	// can compare with what the applicant says out of band.
	CSR                   string            `json:"csr,omitempty"`
	PublicKeyFingerprints *key.Fingerprints `json:"publicKeyFingerprints,omitempty"`
	Note                  string            `json:"note,omitempty"` // the applicant's reason for a cancellation
	SubmittedBy           string            `json:"submittedBy"`
	SubmittedAt           time.Time         `json:"submittedAt"`
	Reviewer              string            `json:"reviewer,omitempty"`
	Reason                string            `json:"reason,omitempty"` // the reviewer's
	DecidedAt             time.Time         `json:"decidedAt,omitzero"`
	ResultSerial          string            `json:"resultSerial,omitempty"` // the certificate approval issued
}

func newRequest(a store.Application) Request {
	r := Request{
		ID: a.ID, Kind: a.Kind, ServerID: a.ServerID, State: string(a.State), Fields: map[string]string{},
		CSR: string(a.CSR), Note: a.Note, SubmittedBy: a.SubmittedBy, SubmittedAt: a.SubmittedAt.UTC(),
		Reviewer: a.Reviewer, Reason: a.Reason, ResultSerial: a.ResultSerial,
	}
	if !a.DecidedAt.IsZero() {
		r.DecidedAt = a.DecidedAt.UTC()
	}
	values := fieldValues(a.Fields)
	switch a.Kind {
	case store.KindNew:
		r.Fields = values
	case store.KindModify:
		for _, name := range a.Changed {
			r.Fields[name] = values[name]
		}
	}
	if len(a.CSR) > 0 {
		if csr, err := pki.ParseCSR(a.CSR); err == nil {
			fp := key.FingerprintsOf(csr.RawSubjectPublicKeyInfo)
			r.PublicKeyFingerprints = &fp
		}
	}
	return r
}

// fieldValues are the registration fields by wire name (store.FieldNames).
func fieldValues(f store.ServerFields) map[string]string {
	return map[string]string{
		"serverName": f.ServerName, "serverAddress": f.ServerAddress,
		"contactName": f.ContactName, "contactEmail": f.ContactEmail, "contactMobile": f.ContactMobile,
		"serverType": f.ServerType, "area": f.Area, "ownerId": f.OwnerID,
	}
}

func requestsView(reqs []Request) output.View {
	rows := make([][]string, len(reqs))
	for i, r := range reqs {
		rows[i] = []string{r.ID, string(r.Kind), r.ServerID, r.State, stamp(r.SubmittedAt), orDash(r.Reviewer)}
	}
	return output.View{Data: reqs, Headers: []string{"id", "kind", "serverId", "state", "submitted", "reviewer"}, Rows: rows}
}

func (r Request) view() output.View {
	fields := []output.Field{
		{Key: "Id", Value: r.ID},
		{Key: "Kind", Value: string(r.Kind)},
		{Key: "Server id", Value: r.ServerID},
		{Key: "State", Value: r.State},
		{Key: "Submitted", Value: stamp(r.SubmittedAt) + " by " + r.SubmittedBy},
	}
	for _, name := range store.FieldNames {
		if v, ok := r.Fields[name]; ok && (v != "" || r.Kind == store.KindModify) {
			fields = append(fields, output.Field{Key: name, Value: v})
		}
	}
	if r.PublicKeyFingerprints != nil {
		fields = append(fields, output.Field{Key: "Key SHA-256", Value: r.PublicKeyFingerprints.SHA256})
	}
	if r.Note != "" {
		fields = append(fields, output.Field{Key: "Note", Value: r.Note})
	}
	if r.Reviewer != "" {
		fields = append(fields, output.Field{Key: "Decided", Value: stamp(r.DecidedAt) + " by " + r.Reviewer})
	}
	if r.Reason != "" {
		fields = append(fields, output.Field{Key: "Reason", Value: r.Reason})
	}
	if r.ResultSerial != "" {
		fields = append(fields, output.Field{Key: "Certificate", Value: r.ResultSerial})
	}
	return output.View{Data: r, Details: fields}
}

// stamp is how tables show times: RFC 3339 in UTC, as in JSON; "-" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

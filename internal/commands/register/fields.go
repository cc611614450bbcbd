package register

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/lenient"
	"github.com/imictl/imictl/internal/mgmt/api"
)

// field is one registration field of table 1 with its flag.
type field struct {
	flag, wire, title, usage string
	required                 bool
	submit                   func(*api.SubmitRequest) *string
	change                   func(*api.ServerChanges) **string
}

// fields are the registration fields besides serverId and the CSR, in
// table order.
var fields = []field{
	{"name", "serverName", "Server name", "the server's display `NAME`", true,
		func(r *api.SubmitRequest) *string { return &r.ServerName }, func(c *api.ServerChanges) **string { return &c.ServerName }},
	{"address", "serverAddress", "Server address (base URL)", "the server's base `URL`, where peers call /sns/..., e.g. https://im.example.com", true,
		func(r *api.SubmitRequest) *string { return &r.ServerAddress }, func(c *api.ServerChanges) **string { return &c.ServerAddress }},
	{"contact-name", "contactName", "Contact name", "the technical contact's `NAME`", true,
		func(r *api.SubmitRequest) *string { return &r.ContactName }, func(c *api.ServerChanges) **string { return &c.ContactName }},
	{"contact-email", "contactEmail", "Contact e-mail", "the contact's e-mail `ADDRESS`", true,
		func(r *api.SubmitRequest) *string { return &r.ContactEmail }, func(c *api.ServerChanges) **string { return &c.ContactEmail }},
	{"contact-mobile", "contactMobile", "Contact mobile", "the contact's mobile `NUMBER`, e.g. +86 135-0000-1111", true,
		func(r *api.SubmitRequest) *string { return &r.ContactMobile }, func(c *api.ServerChanges) **string { return &c.ContactMobile }},
	{"owner-id", "ownerId", "Owner id", "the `ID` of the organisation that runs the server", true,
		func(r *api.SubmitRequest) *string { return &r.OwnerID }, func(c *api.ServerChanges) **string { return &c.OwnerID }},
	{"type", "serverType", "Server type", "the product `TYPE` (optional)", false,
		func(r *api.SubmitRequest) *string { return &r.ServerType }, func(c *api.ServerChanges) **string { return &c.ServerType }},
	{"area", "area", "Area", "the `AREA` the server serves (optional)", false,
		func(r *api.SubmitRequest) *string { return &r.Area }, func(c *api.ServerChanges) **string { return &c.Area }},
}

// validate checks one value as the management server will: a change of
// only this field goes through the wire type's own validation.
func (fd field) validate(v string) error {
	var c api.ServerChanges
	*fd.change(&c) = &v
	return problem(c.Validate())
}

// problem drops the field path from a wire validation error: the caller
// names the flag instead.
func problem(err error) error {
	var fe *lenient.FieldError
	if errors.As(err, &fe) {
		return errors.New(fe.Problem)
	}
	return err
}

// flagError turns a wire validation error into a usage error naming the
// flag of the field it is about.
func flagError(err error) error {
	var fe *lenient.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	flag := map[string]string{"serverId": "server-id", "csr": "csr"}[fe.Path]
	for _, fd := range fields {
		if fd.wire == fe.Path {
			flag = fd.flag
		}
	}
	if flag == "" {
		return cmdutil.UsageError("%v", err)
	}
	return cmdutil.UsageError("invalid --%s: %s", flag, fe.Problem)
}

// addFieldFlags adds a flag per field, bound to the submit request when
// req is set (else they are read with cmd.Flags() for modify).
func addFieldFlags(cmd *cobra.Command, req *api.SubmitRequest) {
	for _, fd := range fields {
		switch {
		case req != nil:
			cmd.Flags().StringVar(fd.submit(req), fd.flag, "", fd.usage)
		case fd.required:
			cmd.Flags().String(fd.flag, "", "new "+fd.wire+": "+fd.usage)
		default:
			cmd.Flags().String(fd.flag, "", "new "+fd.wire+": "+fd.usage+`; "" clears it`)
		}
	}
}

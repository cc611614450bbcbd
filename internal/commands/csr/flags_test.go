package csr

import (
	"slices"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// The flags land in the template as pki.CreateCSR expects them.
func TestCreateFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Now: time.Now, Getenv: func(string) string { return "" }}
	var got *CreateOptions
	cmd := NewCmdCreate(f, func(o *CreateOptions) error { got = o; return nil })
	cmdutil.AddOutputFlag(cmd)
	cmd.SetArgs([]string{"--key", "k.pem", "--server-id", "srv1", "--out", "r.csr", "--name", "N", "--country", "CN",
		"--province", "P", "--locality", "L", "--org-unit", "U", "--dns", "a.example,b.example", "--dns", "c.example",
		"--uri", "https://x.example/a,b", "--password-file", "pw", "--force"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := pki.CSRTemplate{ServerID: "srv1", ServerName: "N", Country: "CN", Province: "P", Locality: "L", OrganizationalUnit: "U",
		DNSNames: []string{"a.example", "b.example", "c.example"}}
	tmpl := got.Template
	if tmpl.ServerID != want.ServerID || tmpl.ServerName != want.ServerName || tmpl.Country != want.Country ||
		tmpl.Province != want.Province || tmpl.Locality != want.Locality || tmpl.OrganizationalUnit != want.OrganizationalUnit ||
		!slices.Equal(tmpl.DNSNames, want.DNSNames) || len(tmpl.URIs) != 1 || tmpl.URIs[0].String() != "https://x.example/a,b" {
		t.Errorf("template %+v", tmpl)
	}
	if got.Key != "k.pem" || got.Out != "r.csr" || got.PasswordFile != "pw" || !got.Force || got.Format != output.Table {
		t.Errorf("options %+v", got)
	}
}

package cert

import (
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
)

func TestFlagsToOptions(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Now: time.Now, Getenv: func(string) string { return "" }}

	var fp *FingerprintOptions
	cmd := NewCmdFingerprint(f, func(o *FingerprintOptions) error { fp = o; return nil })
	cmdutil.AddOutputFlag(cmd)
	cmd.SetArgs([]string{"c.pem", "--sm3", "--encoding", "colon", "--bundle"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if fp.File != "c.pem" || fp.Algorithm != algSM3 || fp.Encoding != "colon" || !fp.Bundle || fp.Format != output.Text {
		t.Errorf("fingerprint options %+v", fp)
	}

	var nr *NeedsRenewalOptions
	cmd = NewCmdNeedsRenewal(f, func(o *NeedsRenewalOptions) error { nr = o; return nil })
	cmdutil.AddOutputFlag(cmd)
	cmd.SetArgs([]string{"c.pem"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if nr.ExpiresIn != "33%" || nr.Window != (Window{Percent: 33}) {
		t.Errorf("needs-renewal default window %+v", nr)
	}

	var vo *VerifyOptions
	cmd = NewCmdVerify(f, func(o *VerifyOptions) error { vo = o; return nil })
	cmdutil.AddOutputFlag(cmd)
	cmd.SetArgs([]string{"c.pem", "--root", "r.pem", "--intermediates", "i.pem", "--crl", "x.crl", "--server-id", "srv1"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if vo.File != "c.pem" || vo.Root != "r.pem" || vo.Intermediates != "i.pem" || vo.CRL != "x.crl" || vo.ServerID != "srv1" {
		t.Errorf("verify options %+v", vo)
	}
}

package key

import (
	"testing"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
)

func TestGenFlagsToOptions(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Now: time.Now, Getenv: func(string) string { return "" }}
	var got *GenOptions
	cmd := NewCmdGen(f, func(o *GenOptions) error { got = o; return nil })
	cmdutil.AddOutputFlag(cmd)
	cmd.SetArgs([]string{"--out", "k.pem", "--no-password", "--insecure", "--force", "-o", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if *got != (GenOptions{IO: ios, Format: output.JSON, Out: "k.pem", NoPassword: true, Insecure: true, Force: true}) {
		t.Errorf("options %+v", got)
	}
}

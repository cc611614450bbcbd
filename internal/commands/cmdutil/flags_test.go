package cmdutil

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestDataDir(t *testing.T) {
	tests := []struct {
		name, flag string
		env        map[string]string
		want       string
	}{
		{"default", "", nil, "./imictl-data"},
		{"env", "", map[string]string{DataDirEnv: "/srv/imi"}, "/srv/imi"},
		{"flag wins", "/tmp/d", map[string]string{DataDirEnv: "/srv/imi"}, "/tmp/d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory(false, nil, tt.env)
			if got := DataDir(f, tt.flag); got != tt.want {
				t.Errorf("DataDir = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSharedFlags(t *testing.T) {
	var yes, force bool
	var dir string
	cmd := &cobra.Command{Use: "revoke"}
	AddYesFlag(cmd, &yes)
	AddForceFlag(cmd, &force)
	AddDataDirFlag(cmd, &dir)
	if err := cmd.ParseFlags([]string{"-y", "--force", "--data-dir", "/d"}); err != nil {
		t.Fatal(err)
	}
	if !yes || !force || dir != "/d" {
		t.Errorf("yes=%v force=%v dir=%q", yes, force, dir)
	}
	if u := cmd.Flags().FlagUsages(); !strings.Contains(u, "--data-dir DIR") {
		t.Errorf("usage should name the argument DIR:\n%s", u)
	}
}

package identity_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/imictl/imictl/internal/commands/identity"
)

// FuzzReadConfig: any config file is read or refused without panicking,
// and one that is read is written and read back the same (relative paths
// made absolute on the first read).
func FuzzReadConfig(f *testing.F) {
	for _, s := range []string{
		"current-context: p\ncontexts:\n- name: p\n  server-id: abc\n  key: k.pem\n  cert: /c\n  mgmt: http://m\n",
		"contexts:\n- name: a\n- name: a\n",
		"contexts: [{name: ''}]\n",
		"unknown: 1\n",
		"{",
		"",
	} {
		f.Add([]byte(s))
	}
	// One file, rewritten by every input: the inputs of a fuzzing process
	// run one at a time.
	path := filepath.Join(f.TempDir(), "config.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, _, err := identity.ReadConfig(path)
		if err != nil {
			return
		}
		if err := identity.WriteConfig(path, cfg); err != nil {
			t.Fatalf("writing back what was read: %v", err)
		}
		back, _, err := identity.ReadConfig(path)
		if err != nil {
			t.Fatalf("reading back %+v: %v", cfg, err)
		}
		if !reflect.DeepEqual(normal(back), normal(cfg)) {
			t.Fatalf("round trip changed %+v into %+v", cfg, back)
		}
	})
}

// normal treats a nil and an empty list of contexts alike.
func normal(c *identity.Config) identity.Config {
	out := *c
	if len(out.Contexts) == 0 {
		out.Contexts = nil
	}
	return out
}

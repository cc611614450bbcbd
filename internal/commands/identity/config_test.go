package identity_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/imictl/imictl/internal/commands/identity"
)

func TestConfigRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "config.yaml")
	cfg, exists, err := identity.ReadConfig(path)
	if err != nil || exists || len(cfg.Contexts) != 0 {
		t.Fatalf("missing file: %+v %v %v", cfg, exists, err)
	}
	cfg.SetContext(identity.Context{Name: "p", ServerID: "abc", Key: "/k", Cert: "/c"})
	cfg.SetContext(identity.Context{Name: "q", Mgmt: "http://m"})
	cfg.SetContext(identity.Context{Name: "p", Key: "/k2"}) // replaces in place
	cfg.CurrentContext = "q"
	if err := identity.WriteConfig(path, cfg); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file mode: %v %v", st, err)
	}
	got, exists, err := identity.ReadConfig(path)
	if err != nil || !exists {
		t.Fatal(err)
	}
	want := &identity.Config{CurrentContext: "q", Contexts: []identity.Context{{Name: "p", Key: "/k2"}, {Name: "q", Mgmt: "http://m"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %+v, want %+v", got, want)
	}
	if !got.DeleteContext("q") || got.CurrentContext != "" || got.DeleteContext("q") || len(got.Contexts) != 1 {
		t.Fatalf("after delete: %+v", got)
	}
}

func TestEmptyConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, exists, err := identity.ReadConfig(path)
	if err != nil || !exists || cfg.CurrentContext != "" || len(cfg.Contexts) != 0 {
		t.Fatalf("empty file: %+v %v %v", cfg, exists, err)
	}
}

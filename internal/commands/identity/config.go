package identity

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// ConfigEnv names the config file when set.
const ConfigEnv = "IMICTL_CONFIG"

// maxConfigSize bounds the config file: a few named contexts of paths.
const maxConfigSize = 1 << 20

// Config is the config file: named contexts, like kubectl's, each a set of
// identity settings, and the one used when none is named.
type Config struct {
	CurrentContext string    `yaml:"current-context" json:"currentContext"`
	Contexts       []Context `yaml:"contexts" json:"contexts"`
}

// Context is one named identity. It holds paths only, never a secret: the
// password of the key stays in its own file (PasswordFile).
type Context struct {
	Name         string `yaml:"name" json:"name"`
	ServerID     string `yaml:"server-id,omitempty" json:"serverId,omitempty"`
	Key          string `yaml:"key,omitempty" json:"key,omitempty"`
	Cert         string `yaml:"cert,omitempty" json:"cert,omitempty"`
	Root         string `yaml:"root,omitempty" json:"root,omitempty"`
	Mgmt         string `yaml:"mgmt,omitempty" json:"mgmt,omitempty"`
	PasswordFile string `yaml:"password-file,omitempty" json:"passwordFile,omitempty"`
	// The remote admin API and the administrator calling it, for the
	// admin and ca commands (mgmtutil.AdminFlags); Root serves them too.
	AdminURL  string `yaml:"admin-url,omitempty" json:"adminUrl,omitempty"`
	AdminKey  string `yaml:"admin-key,omitempty" json:"adminKey,omitempty"`
	AdminCert string `yaml:"admin-cert,omitempty" json:"adminCert,omitempty"`
}

// Context returns the context called name, or nil.
func (c *Config) Context(name string) *Context {
	for i := range c.Contexts {
		if c.Contexts[i].Name == name {
			return &c.Contexts[i]
		}
	}
	return nil
}

// SetContext adds ctx, or replaces the context of the same name in place.
func (c *Config) SetContext(ctx Context) {
	if old := c.Context(ctx.Name); old != nil {
		*old = ctx
		return
	}
	c.Contexts = append(c.Contexts, ctx)
}

// DeleteContext removes the context called name and reports whether it was
// there; deleting the current context leaves no current context.
func (c *Config) DeleteContext(name string) bool {
	i := slices.IndexFunc(c.Contexts, func(x Context) bool { return x.Name == name })
	if i < 0 {
		return false
	}
	c.Contexts = slices.Delete(c.Contexts, i, i+1)
	if c.CurrentContext == name {
		c.CurrentContext = ""
	}
	return true
}

// ConfigPath returns where the config file is: $IMICTL_CONFIG, else
// $XDG_CONFIG_HOME/imictl/config.yaml, else ~/.config/imictl/config.yaml.
// It is "" when none of these can be determined (no HOME).
func ConfigPath(f *cmdutil.Factory) string {
	if p := f.Getenv(ConfigEnv); p != "" {
		return p
	}
	if x := f.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "imictl", "config.yaml")
	}
	if h := f.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "imictl", "config.yaml")
	}
	return ""
}

// ReadConfig reads the config file at path. A missing file is an empty
// config (exists false), so that a first `config set-context` can create
// it. Relative paths in contexts are resolved against the file's directory,
// so a config file moved along with its keys keeps working.
func ReadConfig(path string) (cfg *Config, exists bool, err error) {
	cfg = &Config{}
	if path == "" {
		return cfg, false, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cannot read the config file: %w", err)
	}
	if len(data) > maxConfigSize {
		return nil, true, fmt.Errorf("config file %s is larger than %d bytes: is %s set to the right file?", path, maxConfigSize, ConfigEnv)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	// A misspelt key would otherwise be silently ignored. An empty file
	// decodes as io.EOF: no contexts.
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, true, fmt.Errorf("config file %s: %v; fix it or move it away", path, err)
	}
	seen := map[string]bool{}
	for i := range cfg.Contexts {
		c := &cfg.Contexts[i]
		if c.Name == "" {
			return nil, true, fmt.Errorf("config file %s: context #%d has no name", path, i+1)
		}
		if seen[c.Name] {
			return nil, true, fmt.Errorf("config file %s: context %q is defined twice", path, c.Name)
		}
		seen[c.Name] = true
		dir := filepath.Dir(path)
		for _, p := range []*string{&c.Key, &c.Cert, &c.Root, &c.PasswordFile} {
			if *p != "" && !filepath.IsAbs(*p) {
				*p = filepath.Join(dir, *p)
			}
		}
	}
	return cfg, true, nil
}

// WriteConfig writes cfg to path atomically, 0600, creating its directory
// (0700) if needed.
func WriteConfig(path string, cfg *Config) error {
	if path == "" {
		return fmt.Errorf("cannot tell where the config file goes: set %s or HOME", ConfigEnv)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("cannot create the config directory: %w", err)
	}
	data, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	return cmdutil.WriteFileAtomic(path, data, 0o600, true)
}

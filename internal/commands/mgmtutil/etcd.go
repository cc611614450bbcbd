package mgmtutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// EtcdFlags say how to reach a management registry in etcd; the same
// fields are the "etcd" object of the management server's configuration
// file (StoreFile).
type EtcdFlags struct {
	Endpoints    []string `json:"endpoints"`
	Prefix       string   `json:"prefix,omitempty"`
	CAFile       string   `json:"caFile,omitempty"`
	CertFile     string   `json:"certFile,omitempty"`
	KeyFile      string   `json:"keyFile,omitempty"`
	Username     string   `json:"username,omitempty"`
	PasswordFile string   `json:"passwordFile,omitempty"`
}

// AddEtcdFlags adds the --etcd-* flags; --etcd-endpoints too unless the
// command names the endpoints otherwise (migrate's etcd:URL,...).
func AddEtcdFlags(fl *pflag.FlagSet, e *EtcdFlags, endpoints bool) {
	if endpoints {
		fl.StringSliceVar(&e.Endpoints, "etcd-endpoints", nil, "the etcd cluster's client `URLs`, comma-separated (https://... for TLS)")
	}
	fl.StringVar(&e.Prefix, "etcd-prefix", "", "keep the registry under this etcd key `PREFIX` (default "+store.DefaultEtcdPrefix+")")
	fl.StringVar(&e.CAFile, "etcd-ca", "", "verify etcd's TLS certificates with this CA `FILE` (default: the system's roots)")
	fl.StringVar(&e.CertFile, "etcd-cert", "", "a TLS client certificate `FILE` for etcd (--client-cert-auth)")
	fl.StringVar(&e.KeyFile, "etcd-key", "", "and its key `FILE`")
	fl.StringVar(&e.Username, "etcd-user", "", "authenticate to etcd as `USER` (etcd auth enabled)")
	fl.StringVar(&e.PasswordFile, "etcd-password-file", "", "read the etcd user's password from the first line of `FILE`")
}

// Override takes into e every field of flags whose flag changed says was
// given (the command line wins over the configuration file).
func (e *EtcdFlags) Override(flags EtcdFlags, changed func(name string) bool) {
	set := func(name string, dst *string, v string) {
		if changed(name) {
			*dst = v
		}
	}
	if changed("etcd-endpoints") {
		e.Endpoints = flags.Endpoints
	}
	set("etcd-prefix", &e.Prefix, flags.Prefix)
	set("etcd-ca", &e.CAFile, flags.CAFile)
	set("etcd-cert", &e.CertFile, flags.CertFile)
	set("etcd-key", &e.KeyFile, flags.KeyFile)
	set("etcd-user", &e.Username, flags.Username)
	set("etcd-password-file", &e.PasswordFile, flags.PasswordFile)
}

// Config is the store's etcd configuration, with the password read from
// PasswordFile.
func (e EtcdFlags) Config() (store.EtcdConfig, error) {
	c := e
	cfg := store.EtcdConfig{Endpoints: c.Endpoints, Prefix: c.Prefix, CAFile: c.CAFile, CertFile: c.CertFile, KeyFile: c.KeyFile, Username: c.Username}
	if len(cfg.Endpoints) == 0 {
		return cfg, cmdutil.UsageError("the etcd store needs --etcd-endpoints URL,... (or etcd.endpoints in the configuration file)")
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return cfg, cmdutil.UsageError("an etcd client certificate needs both --etcd-cert and --etcd-key")
	}
	if c.Username == "" && c.PasswordFile != "" {
		return cfg, cmdutil.UsageError("--etcd-password-file needs --etcd-user")
	}
	if c.Username != "" {
		if c.PasswordFile == "" {
			return cfg, cmdutil.UsageError("--etcd-user needs --etcd-password-file FILE with the user's password")
		}
		pw, err := cmdutil.ReadPasswordFile(c.PasswordFile)
		if err != nil {
			return cfg, err
		}
		cfg.Password = string(pw)
	}
	return cfg, nil
}

// Stores the management server runs on.
const (
	StoreBbolt = "bbolt"
	StoreEtcd  = "etcd"
)

// StoreFile is the management server's configuration file: which store,
// and for etcd how to reach it; where the remote admin API listens, if
// anywhere. Flags override it.
type StoreFile struct {
	Store     string    `json:"store"` // bbolt (the default) or etcd
	Etcd      EtcdFlags `json:"etcd"`
	AdminAddr string    `json:"adminAddr,omitempty"` // serve --admin-addr
}

// LoadStoreFile reads path; a missing file is an empty configuration when
// optional (the default path), an error otherwise.
func LoadStoreFile(path string, optional bool) (StoreFile, error) {
	var sf StoreFile
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && optional {
		return sf, nil
	}
	if err != nil {
		return sf, fmt.Errorf("cannot read the management server's configuration: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sf); err != nil {
		return sf, fmt.Errorf("the management server's configuration %s: %w; see `imictl serve --help` for its fields", path, err)
	}
	return sf, nil
}

package imserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/ops"
)

// Defaults of the configuration.
const (
	DefaultListen            = "127.0.0.1:8441"
	DefaultMgmtServerID      = "center-im"
	DefaultMaxFileSize       = 256 << 20
	DefaultMaxRequestBody    = 1 << 20
	DefaultMaxFindResults    = 50
	DefaultWindow            = 8
	DefaultRetryBase         = 500 * time.Millisecond
	DefaultRetryMax          = time.Minute
	DefaultDirectoryRefresh  = 10 * time.Minute
	DefaultCRLRefresh        = 5 * time.Minute
	DefaultReadHeaderTimeout = 10 * time.Second
	// MinRetention is the shortest Retention: a day, beyond any sane
	// retry of a lost answer.
	MinRetention = 24 * time.Hour
)

// Config is what an IM server needs: its identity, where the management
// server is, its white and black lists, limits and delivery tuning.
// LoadConfig reads the JSON file (dataDir/im/config.json); flags override
// its fields; New fills in the defaults.
type Config struct {
	// DataDir is imictl-data; the server keeps its state in DataDir/im.
	DataDir string `json:"-"`

	// ServerID is this server's serverId; default: the one its certificate
	// names. When given it must match the certificate.
	ServerID string `json:"serverId,omitempty"`
	// Address is the serverAddress registered at the management server:
	// the base URL peers call, e.g. https://im.example.com. Ids of the form
	// user@host:port naming this host and port are local.
	Address string `json:"address"`
	// Listen is the address of the interconnection listener; default
	// DefaultListen. Ignored when Listener is set.
	Listen string `json:"listen,omitempty"`
	// TLSCert and TLSKey, both or neither, serve HTTPS.
	TLSCert string `json:"tlsCert,omitempty"`
	TLSKey  string `json:"tlsKey,omitempty"`

	// MgmtURL is the management server's base URL.
	MgmtURL string `json:"mgmtURL"`
	// MgmtServerID is the management server's serverId; default center-im.
	MgmtServerID string `json:"mgmtServerId,omitempty"`

	// KeyFile, CertFile and RootFile are the identity; relative paths are
	// relative to DataDir/im; defaults identity/key.pem, identity/cert.pem
	// and identity/root.crt. The root is the trust anchor of every
	// certificate, the management server's included.
	KeyFile  string `json:"key,omitempty"`
	CertFile string `json:"cert,omitempty"`
	RootFile string `json:"root,omitempty"`
	// PasswordFile holds the key's password when it is encrypted (first
	// line); KeyPassword, when set, wins.
	PasswordFile string `json:"passwordFile,omitempty"`
	KeyPassword  []byte `json:"-"`

	// Policy, when set, replaces the stored white/black lists at start;
	// when absent the lists last set through the admin API stay in force.
	Policy *PolicyConfig `json:"policy,omitempty"`

	// MaxFileSize bounds a file uploaded or downloaded; default 256 MiB.
	MaxFileSize int64 `json:"maxFileSize,omitempty"`
	// MaxRequestBody bounds a signed request's body; default 1 MiB.
	MaxRequestBody int64 `json:"maxRequestBody,omitempty"`
	// MaxFindResults bounds the users S3 returns; default 50.
	MaxFindResults int `json:"maxFindResults,omitempty"`

	Delivery DeliveryConfig `json:"delivery,omitzero"`

	// DirectoryRefresh is the interval of incremental directory queries;
	// CRLRefresh that of CRL fetches.
	DirectoryRefresh Duration `json:"directoryRefresh,omitempty"`
	CRLRefresh       Duration `json:"crlRefresh,omitempty"`
	// ReadHeaderTimeout bounds how long a caller may take to send a
	// request's headers (slow-loris); default 10s.
	ReadHeaderTimeout Duration `json:"readHeaderTimeout,omitempty"`
	// Retention, when set, is how long messages stay in the inboxes, sent
	// lists and group histories: older ones are deleted (retention.go). It
	// is also how long the server remembers a message id to deduplicate
	// it, so it must be longer than any peer retries a message; at least
	// MinRetention. 0, the default, keeps every message.
	Retention Duration `json:"retention,omitempty"`

	// Listener, when set, is used instead of listening on Listen (tests,
	// socket activation). The server closes it.
	Listener net.Listener `json:"-"`
	// Logger; default slog.Default().
	Logger *slog.Logger `json:"-"`
	// Ops receives the server's metrics and readiness checks; default a
	// registry of its own, which nothing exposes.
	Ops *ops.Service `json:"-"`
}

// PolicyConfig is a white list and a black list of peer serverIds. An
// empty Allow list means no white list (everyone not denied).
type PolicyConfig struct {
	Allow []string `json:"allow"`
	Deny  []string `json:"deny"`
}

// DeliveryConfig tunes the per-destination delivery workers.
type DeliveryConfig struct {
	// Window is how many conversations one destination has in flight at
	// once; default 8.
	Window int `json:"window,omitempty"`
	// RetryBase is the first retry delay, doubled at each attempt up to
	// RetryMax, with jitter; defaults 500ms and 1m.
	RetryBase Duration `json:"retryBase,omitempty"`
	RetryMax  Duration `json:"retryMax,omitempty"`
}

// Duration is a time.Duration written as "500ms", "1m" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "90s" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n float64
		if json.Unmarshal(b, &n) != nil {
			return fmt.Errorf("want a duration such as \"30s\" or \"10m\", got %s", b)
		}
		*d = Duration(n * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad duration %q: %v (use e.g. \"30s\" or \"10m\")", s, err)
	}
	*d = Duration(v)
	return nil
}

// LoadConfig reads a JSON configuration file. A missing file is
// fs.ErrNotExist; unknown keys are refused, so a typo does not go unseen.
func LoadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("reading %s: %w", path, err)
	}
	return c, nil
}

// LoadConfigDefault reads ConfigPath(dataDir) if it exists and sets
// DataDir; without the file it returns a Config with only DataDir set.
func LoadConfigDefault(dataDir string) (Config, error) {
	c, err := LoadConfig(ConfigPath(dataDir))
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	c.DataDir = dataDir
	return c, err
}

// withDefaults checks c and fills in every default.
func (c Config) withDefaults() (Config, error) {
	if c.DataDir == "" {
		return c, errors.New("imserver: Config.DataDir is required (imictl-data)")
	}
	dir := Dir(c.DataDir)
	abs := func(p, def string) string {
		if p == "" {
			p = def
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return p
	}
	c.KeyFile = abs(c.KeyFile, filepath.Join(identityName, "key.pem"))
	c.CertFile = abs(c.CertFile, filepath.Join(identityName, "cert.pem"))
	c.RootFile = abs(c.RootFile, filepath.Join(identityName, "root.crt"))
	if c.PasswordFile != "" {
		c.PasswordFile = abs(c.PasswordFile, "")
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.MgmtServerID == "" {
		c.MgmtServerID = DefaultMgmtServerID
	}
	if err := ids.ValidateServerID(c.MgmtServerID); err != nil {
		return c, fmt.Errorf("imserver: mgmtServerId: %w", err)
	}
	if c.ServerID != "" {
		if err := ids.ValidateServerID(c.ServerID); err != nil {
			return c, fmt.Errorf("imserver: serverId: %w", err)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return c, errors.New("imserver: give both tlsCert and tlsKey, or neither")
	}
	if c.MgmtURL == "" {
		return c, errors.New("imserver: the management server's URL is required (mgmtURL in config.json, or --mgmt)")
	}
	if err := checkBaseURL(c.MgmtURL); err != nil {
		return c, fmt.Errorf("imserver: mgmtURL: %w", err)
	}
	if c.Address == "" {
		return c, errors.New("imserver: the server's address is required (the serverAddress registered at the management server, e.g. http://127.0.0.1:8441)")
	}
	if err := checkBaseURL(c.Address); err != nil {
		return c, fmt.Errorf("imserver: address: %w", err)
	}
	setDefault(&c.MaxFileSize, DefaultMaxFileSize)
	setDefault(&c.MaxRequestBody, DefaultMaxRequestBody)
	setDefault(&c.MaxFindResults, DefaultMaxFindResults)
	setDefault(&c.Delivery.Window, DefaultWindow)
	setDefault(&c.Delivery.RetryBase, Duration(DefaultRetryBase))
	setDefault(&c.Delivery.RetryMax, Duration(DefaultRetryMax))
	setDefault(&c.DirectoryRefresh, Duration(DefaultDirectoryRefresh))
	setDefault(&c.CRLRefresh, Duration(DefaultCRLRefresh))
	setDefault(&c.ReadHeaderTimeout, Duration(DefaultReadHeaderTimeout))
	if c.Retention < 0 || c.Retention > 0 && c.Retention < Duration(MinRetention) {
		return c, fmt.Errorf("imserver: retention %s: want 0 (keep every message) or at least %s: a message id is remembered for deduplication only that long", time.Duration(c.Retention), MinRetention)
	}
	if c.Delivery.RetryMax < c.Delivery.RetryBase {
		c.Delivery.RetryMax = c.Delivery.RetryBase
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Ops == nil {
		c.Ops = ops.NewRegistry().Service("im")
	}
	return c, nil
}

func setDefault[T int | int64 | Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// checkBaseURL accepts an absolute http or https URL without user, query
// or fragment.
func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("%q: want an http:// or https:// URL (%v)", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: want an http:// or https:// URL", s)
	case !ids.IsBaseURL(s):
		return fmt.Errorf("%q: want scheme://host[:port][/path] with a port from 1 to 65535, without user, query or fragment", s)
	}
	return nil
}

// hostPort is the "host:port" of a base URL, with the scheme's default
// port, lower-cased: how ids of the form user@host:port name this server.
func hostPort(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return "", fmt.Errorf("bad port %q", port)
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), strconv.FormatUint(n, 10)), nil
}

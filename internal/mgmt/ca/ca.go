// Package ca is the management server's certificate authority on disk: an
// SM2 root whose key is encrypted at rest, and the management server's own
// signing identity (serverId center-im by default) issued by that root.
//
// Layout of the CA directory (0700):
//
//	root.crt   the trust anchor every IM server pins
//	root.key   its key: encrypted PKCS#8, or plain 0600 when created insecurely
//	self.crt   the management server's own certificate
//	self.key   its key, protected like root.key
//
// Records of what was issued and revoked live in the management store, not
// here: this package only holds keys and makes certificates.
//
// # Where the keys live
//
// Files says where: a directory (Dir), the default, or, for management
// server replicas on etcd, etcd itself (store.SharedFiles), where the keys
// are only ever stored encrypted (RequireEncrypted) and every replica
// decrypts them with the CA password it is given. The trade-off: anyone
// who can read etcd's keyspace or its snapshots gets the encrypted keys and
// can try passwords offline (PBKDF2, pki.KDFIterations), and every replica
// holds the decrypted root key in memory. The alternative keeps the root
// key in an HSM or a KMS that signs and never exports it: pki.Issuer.Key
// is a crypto.Signer, and CA.Root.Key is where such a signer plugs in (the
// online identity, Key, still signs every API answer in software).
package ca

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
)

// File names inside the CA directory.
const (
	RootCertFile = "root.crt"
	RootKeyFile  = "root.key"
	SelfCertFile = "self.crt"
	SelfKeyFile  = "self.key"
)

// DefaultServerID is the management server's own serverId.
const DefaultServerID = "center-im"

// ErrExists is returned by Init when a CA is already there.
var ErrExists = errors.New("a CA already exists in this directory")

// ErrNotInitialized is returned by Load when there is no CA yet.
var ErrNotInitialized = errors.New("no CA here yet: create one with `imictl ca init` (or start `imictl serve`, which creates one)")

// CA is a loaded certificate authority with the management server's identity.
type CA struct {
	Dir    string // where its files are (Files.String)
	Root   pki.Issuer
	Self   *smx509.Certificate
	Key    *sm2.PrivateKey // the management server's signing key
	SelfID string
}

// InitOptions configure a new CA.
type InitOptions struct {
	CommonName string // root subject CN
	ServerID   string // the management server's serverId (default center-im)
	ServerName string // its display name
	Password   []byte // encrypts both keys; empty means plain keys (insecure)
	Validity   time.Duration
	Now        time.Time
}

// Init creates the root and the management server's identity in dir. It
// refuses to overwrite an existing CA.
func Init(dir string, o InitOptions) (*CA, error) { return InitIn(Dir(dir), o) }

// InitIn creates the CA in files (a directory, or the shared store of
// management server replicas). It refuses to overwrite an existing CA.
func InitIn(files Files, o InitOptions) (*CA, error) {
	if _, err := files.ReadFile(RootKeyFile); err == nil {
		return nil, fmt.Errorf("%w (%s): use it, or choose another --data-dir", ErrExists, files)
	}
	if o.CommonName == "" {
		o.CommonName = "imictl interconnection root"
	}
	if o.ServerID == "" {
		o.ServerID = DefaultServerID
	}
	if err := pki.ValidateServerID(o.ServerID); err != nil {
		return nil, err
	}
	if o.Validity == 0 {
		o.Validity = pki.DefaultRootValidity
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	rootKey, err := pki.GenerateKey()
	if err != nil {
		return nil, err
	}
	rootDER, err := pki.CreateRootCert(rootKey, o.CommonName, o.Now.Add(-pki.Backdate), o.Now.Add(o.Validity))
	if err != nil {
		return nil, err
	}
	root, err := smx509.ParseCertificate(rootDER)
	if err != nil {
		return nil, err
	}
	c := &CA{Dir: files.String(), Root: pki.Issuer{Cert: root, Key: rootKey}, SelfID: o.ServerID}
	selfKey, selfDER, err := c.issueSelf(o.ServerName, o.Now)
	if err != nil {
		return nil, err
	}
	rootKeyPEM, err := pki.EncodePrivateKeyPEM(rootKey, o.Password)
	if err != nil {
		return nil, err
	}
	selfKeyPEM, err := pki.EncodePrivateKeyPEM(selfKey, o.Password)
	if err != nil {
		return nil, err
	}
	err = files.CreateFiles(map[string][]byte{
		RootKeyFile:  rootKeyPEM,
		RootCertFile: pki.EncodeCertificatePEM(rootDER),
		SelfKeyFile:  selfKeyPEM,
		SelfCertFile: pki.EncodeCertificatePEM(selfDER),
	})
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%w (%s): another process created it meanwhile; use it", ErrExists, files)
	}
	if err != nil {
		return nil, err
	}
	return LoadFrom(files, o.Password)
}

// issueSelf makes the management server's key and certificate.
func (c *CA) issueSelf(name string, now time.Time) (*sm2.PrivateKey, []byte, error) {
	key, err := pki.GenerateKey()
	if err != nil {
		return nil, nil, err
	}
	if name == "" {
		name = "Interconnection management server"
	}
	csrDER, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: c.SelfID, ServerName: name})
	if err != nil {
		return nil, nil, err
	}
	csr, err := smx509.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, nil, err
	}
	der, err := c.Issue(csr, pki.DefaultServerCertValidity, now, nil)
	return key, der, err
}

// Issue makes a server certificate from a checked CSR with a fresh serial.
func (c *CA) Issue(csr *smx509.CertificateRequest, validity time.Duration, now time.Time, crlURLs []string) ([]byte, error) {
	serial, err := pki.NewSerial()
	if err != nil {
		return nil, err
	}
	return c.Root.IssueServerCert(csr, pki.IssueParams{
		Serial:                serial,
		NotBefore:             now.Add(-pki.Backdate),
		NotAfter:              now.Add(validity),
		CRLDistributionPoints: crlURLs,
	})
}

// IssueAdmin makes the certificate of administrator name from a CSR
// (pki.CheckAdminCSR) with a fresh serial.
func (c *CA) IssueAdmin(csr *smx509.CertificateRequest, name string, validity time.Duration, now time.Time, crlURLs []string) ([]byte, error) {
	serial, err := pki.NewSerial()
	if err != nil {
		return nil, err
	}
	return c.Root.IssueAdminCert(csr, name, pki.IssueParams{
		Serial:                serial,
		NotBefore:             now.Add(-pki.Backdate),
		NotAfter:              now.Add(validity),
		CRLDistributionPoints: crlURLs,
	})
}

// Load reads a CA created by Init. password may be empty for plain keys.
func Load(dir string, password []byte) (*CA, error) { return LoadFrom(Dir(dir), password) }

// LoadFrom reads a CA created by InitIn. password may be empty for plain
// keys.
func LoadFrom(files Files, password []byte) (*CA, error) {
	read := func(name string) ([]byte, error) {
		data, err := files.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w (%s missing in %s)", ErrNotInitialized, name, files)
		}
		return data, err
	}
	rootCertPEM, err := read(RootCertFile)
	if err != nil {
		return nil, err
	}
	rootKeyPEM, err := read(RootKeyFile)
	if err != nil {
		return nil, err
	}
	selfCertPEM, err := read(SelfCertFile)
	if err != nil {
		return nil, err
	}
	selfKeyPEM, err := read(SelfKeyFile)
	if err != nil {
		return nil, err
	}
	root, err := pki.ParseCertificatePEM(rootCertPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", RootCertFile, err)
	}
	rootKey, err := pki.DecodePrivateKeyPEM(rootKeyPEM, password)
	if err != nil {
		return nil, fmt.Errorf("CA key %s in %s: %w", RootKeyFile, files, err)
	}
	if !rootKey.PublicKey.Equal(root.PublicKey) {
		return nil, fmt.Errorf("%s does not belong to %s: the CA directory is inconsistent", RootKeyFile, RootCertFile)
	}
	self, err := pki.ParseCertificatePEM(selfCertPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SelfCertFile, err)
	}
	selfKey, err := pki.DecodePrivateKeyPEM(selfKeyPEM, password)
	if err != nil {
		return nil, fmt.Errorf("management server key %s in %s: %w", SelfKeyFile, files, err)
	}
	selfID, err := pki.ServerIDFromCertificate(self)
	if err != nil {
		return nil, err
	}
	return &CA{Dir: files.String(), Root: pki.Issuer{Cert: root, Key: rootKey}, Self: self, Key: selfKey, SelfID: selfID}, nil
}

// IsEncrypted reports whether the CA key on disk is password-protected, so
// callers ask for a password only when needed.
func IsEncrypted(dir string) (bool, error) { return IsEncryptedIn(Dir(dir)) }

// IsEncryptedIn is IsEncrypted for the CA in files.
func IsEncryptedIn(files Files) (bool, error) {
	data, err := files.ReadFile(RootKeyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return false, ErrNotInitialized
	}
	if err != nil {
		return false, err
	}
	return pki.IsEncryptedKeyPEM(data), nil
}

// RootPEM is the trust anchor in PEM.
func (c *CA) RootPEM() []byte { return pki.EncodeCertificatePEM(c.Root.Cert.Raw) }

package imserver

import (
	"bytes"
	"fmt"
	"os"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// identity is who this server is: its key, its certificate, the root it
// trusts, and the signer made of them.
type identity struct {
	serverID string
	key      *sm2.PrivateKey
	cert     *smx509.Certificate
	root     *smx509.Certificate
	roots    *smx509.CertPool
	signer   *httpsig.Signer
}

// loadIdentity reads the key, certificate and root named by c and checks
// that they belong together: the certificate names c.ServerID (when given),
// matches the key, and chains to the root.
func loadIdentity(c Config) (*identity, error) {
	certPEM, err := os.ReadFile(c.CertFile)
	if err != nil {
		return nil, fmt.Errorf("reading the server certificate: %w (register the server and store the issued certificate there)", err)
	}
	cert, err := pki.ParseCertificatePEM(certPEM)
	if err != nil {
		return nil, fmt.Errorf("server certificate %s: %w", c.CertFile, err)
	}
	id, err := pki.ServerIDFromCertificate(cert)
	if err != nil {
		return nil, fmt.Errorf("server certificate %s: %w", c.CertFile, err)
	}
	if c.ServerID != "" && c.ServerID != id {
		return nil, fmt.Errorf("the configuration says serverId %q but the certificate %s is for %q", c.ServerID, c.CertFile, id)
	}
	rootPEM, err := os.ReadFile(c.RootFile)
	if err != nil {
		return nil, fmt.Errorf("reading the interconnection root: %w (get it from the management server: imictl ca root / imictl dir bootstrap)", err)
	}
	root, err := pki.ParseCertificatePEM(rootPEM)
	if err != nil {
		return nil, fmt.Errorf("root certificate %s: %w", c.RootFile, err)
	}
	roots := smx509.NewCertPool()
	roots.AddCert(root)
	if err := pki.VerifyCertificate(cert, pki.VerifyOptions{Roots: roots, ServerID: id}); err != nil {
		return nil, fmt.Errorf("the server certificate %s is not valid under the root %s: %w", c.CertFile, c.RootFile, err)
	}
	key, err := loadKey(c)
	if err != nil {
		return nil, err
	}
	signer, err := httpsig.NewSigner(key, cert)
	if err != nil {
		return nil, err
	}
	return &identity{serverID: id, key: key, cert: cert, root: root, roots: roots, signer: signer}, nil
}

func loadKey(c Config) (*sm2.PrivateKey, error) {
	keyPEM, err := os.ReadFile(c.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("reading the server key: %w", err)
	}
	pw := c.KeyPassword
	if pw == nil && c.PasswordFile != "" && pki.IsEncryptedKeyPEM(keyPEM) {
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("reading the key's password file: %w", err)
		}
		pw, _, _ = bytes.Cut(b, []byte("\n"))
		pw = bytes.TrimSuffix(pw, []byte("\r"))
	}
	key, err := pki.DecodePrivateKeyPEM(keyPEM, pw)
	if err != nil {
		return nil, fmt.Errorf("server key %s: %w", c.KeyFile, err)
	}
	return key, nil
}

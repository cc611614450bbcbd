package cert

import (
	"fmt"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/pki"
)

// readCerts reads every certificate of a PEM bundle (or one DER
// certificate) at path, "-" being standard input.
func readCerts(ios *iostreams.IOStreams, path string) ([]*smx509.Certificate, error) {
	data, err := cmdutil.ReadInput(ios, path, cmdutil.MaxInputSize)
	if err != nil {
		return nil, err
	}
	certs, err := pki.ParseCertificatesPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key.DisplayName(path), err)
	}
	return certs, nil
}

// readPool reads the certificates at path (a flag's value) into a pool.
func readPool(ios *iostreams.IOStreams, flag, path string) (*smx509.CertPool, error) {
	certs, err := readCerts(ios, path)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flag, err)
	}
	pool := smx509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// selectCerts returns the certificates a command works on: all of a bundle
// with --bundle, else the first, saying on stderr that others were skipped.
func selectCerts(ios *iostreams.IOStreams, path string, certs []*smx509.Certificate, bundle bool) []*smx509.Certificate {
	if bundle || len(certs) == 1 {
		return certs
	}
	fmt.Fprintf(ios.ErrOut, "%s holds %d certificates; showing the first (--bundle shows all).\n", key.DisplayName(path), len(certs))
	return certs[:1]
}

package imserver

import (
	"context"
	"encoding/pem"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
)

// crlSource fetches the CRL from the management server and keeps a copy
// on disk: after a restart while the management server is unreachable,
// the copy still serves until its nextUpdate (the CRLHolder never uses a
// stale one).
type crlSource struct {
	mgmt Mgmt
	path string
	log  *slog.Logger
}

// FetchCRL implements httpsig.CRLSource.
func (s *crlSource) FetchCRL(ctx context.Context) (*smx509.RevocationList, error) {
	crl, err := s.mgmt.FetchCRL(ctx)
	if err == nil {
		if err := s.save(crl); err != nil {
			s.log.Warn("keeping a copy of the CRL failed", "err", err)
		}
		return crl, nil
	}
	if b, rerr := os.ReadFile(s.path); rerr == nil {
		if saved, perr := pki.ParseCRL(b); perr == nil {
			return saved, nil
		}
	}
	return nil, err
}

// save writes the CRL atomically: a crash leaves the old copy or the new.
func (s *crlSource) save(crl *smx509.RevocationList) error {
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".crl-*")
	if err != nil {
		return fmt.Errorf("saving the CRL: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := pem.Encode(tmp, &pem.Block{Type: "X509 CRL", Bytes: crl.Raw}); err != nil {
		tmp.Close()
		return fmt.Errorf("saving the CRL: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving the CRL: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("saving the CRL: %w", err)
	}
	return nil
}

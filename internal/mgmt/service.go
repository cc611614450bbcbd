package mgmt

import (
	"fmt"
	"sync"
	"time"

	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// Options configure a Service. The zero value is usable for operations
// that need no CA key.
type Options struct {
	// CA is the loaded CA; nil means "load it with LoadCA when needed".
	CA *ca.CA
	// LoadCA loads the CA the first time an operation needs its key (the
	// admin commands ask for the password here). A failure is returned to
	// the caller and the next operation tries again.
	LoadCA func() (*ca.CA, error)
	// CertValidity of issued certificates; default pki.DefaultServerCertValidity.
	CertValidity time.Duration
	// CRLValidity is the span between a CRL's thisUpdate and nextUpdate;
	// default pki.DefaultCRLValidity.
	CRLValidity time.Duration
	// CRLURLs go into issued certificates as CRL distribution points (the
	// server's public GET /sns/restApi/crl). Optional.
	CRLURLs []string
	// Changed is called after every change that queued notifications or
	// made some due (the server wakes its notifier with it). Optional.
	Changed func()
	// CRLPublished is called with every CRL this Service publishes (the
	// server's verifier switches to it at once). Optional.
	CRLPublished func(store.CRL)
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Service is the registration workflow over a store and a CA. It is safe
// for concurrent use.
type Service struct {
	st   *store.Store
	opts Options

	caMu sync.Mutex
	ca   *ca.CA

	crlMu sync.Mutex // serialises CRL numbering within this process
}

// New returns a Service over st. It does not take ownership of st: the
// caller closes it.
func New(st *store.Store, opts Options) *Service {
	if opts.CertValidity <= 0 {
		opts.CertValidity = pki.DefaultServerCertValidity
	}
	if opts.CRLValidity <= 0 {
		opts.CRLValidity = pki.DefaultCRLValidity
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{st: st, opts: opts, ca: opts.CA}
}

// Store is the store the Service works on.
func (s *Service) Store() *store.Store { return s.st }

// CA returns the CA, loading it if needed; ErrCAUnavailable (wrapping the
// loader's error, if any) when it can't be had.
func (s *Service) CA() (*ca.CA, error) {
	s.caMu.Lock()
	defer s.caMu.Unlock()
	if s.ca != nil {
		return s.ca, nil
	}
	if s.opts.LoadCA == nil {
		return nil, ErrCAUnavailable
	}
	c, err := s.opts.LoadCA()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCAUnavailable, err)
	}
	s.ca = c
	return c, nil
}

func (s *Service) changed() {
	if s.opts.Changed != nil {
		s.opts.Changed()
	}
}

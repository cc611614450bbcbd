package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// The remote admin API (Config.AdminAddr) is the unix socket's admin API
// over TCP, for administrators elsewhere. Crypto/tls cannot verify SM2
// certificates, so the mutual authentication is the signed-call layer of
// every interconnection call (docs/PROTOCOL.md §3 and §5.7): each request is
// signed with an administrator's key, its keyid the serial of the
// administrator certificate (`imictl ca sign --admin`); each answer is
// signed by the management server and bound to the request. TLS (Config's
// certificate) may wrap it for confidentiality.
//
// The verifier here knows administrator certificates only: a serial that
// is not one, a server's certificate, one revoked (in the store or on the
// CRL), expired or from another CA are all refused before the handler
// runs, with the signed-call reason, and nothing changes.

// adminResolver finds the certificate a request names by its serial (the
// keyid), straight from the store. A server's certificate is handed on, for
// checkAdminCertificate to refuse as not an administrator's.
type adminResolver struct{ certs *storeResolver }

func (a adminResolver) Resolve(_ context.Context, serial string) (*httpsig.ServerInfo, error) {
	rec, err := a.certs.st.GetCertificate(serial)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("%w: no certificate the CA issued has serial %q (the keyid): sign with an administrator certificate from `imictl ca sign --admin`", httpsig.ErrUnknownServer, serial)
	case err != nil:
		return nil, err
	case rec.Admin != "" && rec.Status == store.CertRevoked:
		// The CRL says so too, soon: the store says it first.
		return nil, &pki.CertError{Reason: pki.ReasonRevoked, Err: fmt.Errorf("administrator certificate %s of %s was revoked at %s", serial, rec.Admin, rec.RevokedAt.UTC().Format(time.RFC3339))}
	}
	cert, err := a.certs.certificate(serial)
	if err != nil {
		return nil, err
	}
	return &httpsig.ServerInfo{ServerID: serial, Status: httpsig.StatusNormal, Certificate: cert}, nil
}

// storeNonces shares the remote admin API's nonces through the store.
type storeNonces struct{ st *store.Store }

func (n storeNonces) Remember(origin, nonce string, expires time.Time) error {
	err := n.st.RememberNonce(origin, nonce, expires)
	if errors.Is(err, store.ErrNonceUsed) {
		return httpsig.ErrReplay
	}
	return err
}

// checkAdminCertificate is the remote verifier's certificate check: the
// administrator profile, named by its serial.
func checkAdminCertificate(cert *smx509.Certificate, serial string, opts pki.VerifyOptions) error {
	if pki.SerialHex(cert.SerialNumber) != serial {
		return &pki.CertError{Reason: pki.ReasonMalformed, Err: fmt.Errorf("the certificate's serial is %s, not the keyid %s", pki.SerialHex(cert.SerialNumber), serial)}
	}
	_, err := pki.VerifyAdminCertificate(cert, opts)
	return err
}

// remoteAdminHandler serves the admin API behind the administrators'
// verifier, and AdminTrust before it.
func (s *Server) remoteAdminHandler(signer *httpsig.Signer, roots *smx509.CertPool) (http.Handler, error) {
	verifier, err := httpsig.NewVerifier(httpsig.Options{
		Self:             s.ca.SelfID,
		Resolver:         adminResolver{newStoreResolver(s.st, nil)},
		Roots:            roots,
		CRL:              s.crl,
		CheckCertificate: checkAdminCertificate,
		Signer:           signer,
		MaxBody:          maxAdminBody,
		Now:              s.cfg.Now,
		Logger:           s.cfg.Logger,
		// Replicas on one etcd registry each have a replay cache of their
		// own: the store makes a request accepted by one a replay for all.
		SharedNonces: storeNonces{s.st},
	})
	if err != nil {
		return nil, err
	}
	api := NewAdminHandler(s.svc, s.ca.SelfID)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+mgmt.AdminTrust, s.adminTrust)
	mux.Handle("/", verifier.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serial, _ := httpsig.OriginFrom(r.Context())
		rec, err := s.st.GetCertificate(serial)
		if err != nil {
			writeAdminError(w, err)
			return
		}
		if r.URL.Path == mgmt.AdminBackup {
			writeAdminError(w, fmt.Errorf("%w: backup is not offered over the remote admin API (a signed answer is held whole in memory); run `imictl admin backup` on the management server's host", mgmt.ErrForbidden))
			return
		}
		s.cfg.Logger.Info("remote admin call", "admin", rec.Admin, "certificate", serial, "method", r.Method, "path", r.URL.Path)
		api.ServeHTTP(w, withActor(r, "admin:"+rec.Admin))
	})))
	return mux, nil
}

// adminTrust answers AdminTrust.
func (s *Server) adminTrust(w http.ResponseWriter, r *http.Request) {
	crl, err := s.st.CurrentCRL()
	if err != nil {
		writeAdminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, mgmt.AdminTrustInfo{ServerID: s.ca.SelfID, Certificate: s.ca.Self.Raw, CRL: crl.DER})
}

// adminListenAddr is addr with a missing host made loopback: ":8441"
// listens on 127.0.0.1 only, never on every interface by accident.
func adminListenAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--admin-addr %q: want HOST:PORT, e.g. 127.0.0.1:8441 (:PORT is loopback): %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

package httpsig

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
)

// hookResolver returns info, or err.
type hookResolver struct {
	info *ServerInfo
	err  error
}

func (h hookResolver) Resolve(context.Context, string) (*ServerInfo, error) { return h.info, h.err }

// Options.CheckCertificate replaces the server-certificate check (the
// remote admin API checks administrator certificates with it), and a
// resolver's *pki.CertError is refused like a failed certificate check.
func TestCheckCertificateHookAndResolverCertError(t *testing.T) {
	ca := newTestCA(t, "Root")
	self, _ := ca.server(t, "center-im")
	caller, cert := ca.server(t, "peer")
	info := &ServerInfo{ServerID: "peer", Status: StatusNormal, Certificate: cert}
	for _, tc := range []struct {
		name     string
		resolver Resolver
		check    func(*smx509.Certificate, string, pki.VerifyOptions) error
		status   int
		reason   Reason
	}{
		{"the default check", hookResolver{info: info}, nil, 200, ""},
		{"a hook that refuses", hookResolver{info: info}, func(*smx509.Certificate, string, pki.VerifyOptions) error {
			return &pki.CertError{Reason: pki.ReasonNotAdmin, Err: errors.New("not an administrator's")}
		}, 401, ReasonCertInvalid},
		{"a hook that is given the keyid", hookResolver{info: info}, func(_ *smx509.Certificate, keyid string, _ pki.VerifyOptions) error {
			if keyid != "peer" {
				return errors.New("wrong keyid")
			}
			return nil
		}, 200, ""},
		{"revoked in the directory", hookResolver{err: &pki.CertError{Reason: pki.ReasonRevoked, Err: errors.New("revoked in the registry")}}, nil, 401, ReasonCertRevoked},
	} {
		v, err := NewVerifier(Options{Self: "center-im", Resolver: tc.resolver, Roots: ca.roots, CRL: fixedCRL{crl: ca.crl(t, 1, time.Now().Add(time.Hour))},
			CheckCertificate: tc.check, Signer: self, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		ran := false
		h := v.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ran = true }))
		req := newRequest(t, http.MethodPost, "http://mgmt/admin/v1/crl", []byte(`{}`))
		if err := caller.SignRequest(req, "center-im"); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.status || ran != (tc.status == 200) {
			t.Errorf("%s: HTTP %d (handler ran: %v), want %d", tc.name, rec.Code, ran, tc.status)
		}
		if tc.reason != "" {
			if reason, _, ok := parseRefusal(rec.Body.Bytes()); !ok || reason != tc.reason {
				t.Errorf("%s: reason %q, want %q", tc.name, reason, tc.reason)
			}
		}
	}
}

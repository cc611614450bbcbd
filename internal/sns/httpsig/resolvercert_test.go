package httpsig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/imictl/imictl/internal/pki"
)

// certRejectingResolver is a directory client that checks the certificate
// it fetches (as mgmt/client's M2 does) and found it unacceptable.
type certRejectingResolver struct{ reason pki.Reason }

func (r certRejectingResolver) Resolve(context.Context, string) (*ServerInfo, error) {
	return nil, fmt.Errorf("fetching the certificate (M2): %w", &pki.CertError{Reason: r.reason, Err: errors.New("checked by the resolver")})
}

// A certificate the resolver refuses is the origin's fault: the refusal
// says what is wrong with it (401), not that the directory is down (503,
// which a sender retries forever).
func TestResolverRefusesCertificate(t *testing.T) {
	f := newFixture(t)
	for reason, want := range map[pki.Reason]Reason{
		pki.ReasonExpired:          ReasonCertExpired,
		pki.ReasonNotYetValid:      ReasonCertExpired,
		pki.ReasonUnknownAuthority: ReasonCertInvalid,
		pki.ReasonWrongServerID:    ReasonCertInvalid,
	} {
		t.Run(string(reason), func(t *testing.T) {
			o := f.options("server-b")
			o.Resolver = certRejectingResolver{reason}
			h := mustVerifier(t, o).Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("the handler ran") }))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, signedChat(t, f.a, "server-b"))
			var env struct {
				Reason Reason `json:"reason"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || rec.Code != http.StatusUnauthorized || env.Reason != want {
				t.Errorf("status %d, body %s (%v): want 401 %s", rec.Code, rec.Body, err, want)
			}
		})
	}
}

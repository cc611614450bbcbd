package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// The signed calls: each request is signed as our identity and each answer
// authenticated with the management server's certificate, which must chain
// to the root and not be revoked. Both what authenticates the answers may
// age in a process that runs for days, so neither is kept for good:
//
//   - the CRL (in the CRLHolder) is fetched again before a call when the
//     one held is missing or past its nextUpdate, and in the background by
//     Run;
//   - the management server's certificate (M2) is fetched again before a
//     call once it is within renewWithin of its notAfter (at most every
//     recheckEvery, until the server serves a newer one), and at once when
//     an answer fails authentication in a way a new certificate explains
//     (the server rotated its key, or its certificate expired or was
//     revoked); the same answer is then checked again, never re-sent, so
//     a call that changed something is not made twice.
const (
	renewWithin  = 7 * 24 * time.Hour
	recheckEvery = 10 * time.Minute
)

// signedState is what signed calls need, built on the first one.
type signedState struct {
	signer   *httpsig.Signer
	verifier *httpsig.Verifier
}

// mgmtCert is the management server's certificate as last fetched.
type mgmtCert struct {
	info    *httpsig.ServerInfo
	fetched time.Time
}

// due reports whether the certificate should be fetched again before use.
func (c *mgmtCert) due(now time.Time) bool {
	return !now.Before(c.info.Certificate.NotAfter.Add(-renewWithin)) && now.Sub(c.fetched) >= recheckEvery
}

// Modify applies to change the registration, signed as the server.
func (p *Public) Modify(ctx context.Context, req api.ModifyRequest) (string, error) {
	return p.signedApplication(ctx, mgmt.PathModify, req)
}

// Cancel applies to cancel the registration for good, signed as the server.
func (p *Public) Cancel(ctx context.Context, req api.CancelRequest) (string, error) {
	return p.signedApplication(ctx, mgmt.PathCancel, req)
}

func (p *Public) signedApplication(ctx context.Context, path string, req any) (string, error) {
	if p.o.Cert == nil {
		return "", errors.New("client: this call is signed with the server's certificate: give --cert (an applicant without one can only follow its registration with status)")
	}
	s, err := p.signedFor(ctx)
	if err != nil {
		return "", err
	}
	var resp api.RequestIDResponse
	if err := p.call(ctx, s, path, req, &resp); err != nil {
		return "", err
	}
	return resp.RequestID, nil
}

// Status follows an application, signed with Key (the CSR's key before
// the server has a certificate).
func (p *Public) Status(ctx context.Context, requestID string) (api.StatusResponse, error) {
	var resp api.StatusResponse
	s, err := p.signedFor(ctx)
	if err != nil {
		return resp, err
	}
	err = p.call(ctx, s, mgmt.PathStatus, api.StatusRequest{RequestID: requestID}, &resp)
	return resp, err
}

// WaitDecided polls Status every interval until the application is
// decided or ctx ends (then it returns the last answer with ctx's error).
func (p *Public) WaitDecided(ctx context.Context, requestID string, interval time.Duration) (api.StatusResponse, error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var last api.StatusResponse
	for {
		st, err := p.Status(ctx, requestID)
		if err != nil && ctx.Err() != nil && last.Status == api.RequestPending {
			// The wait ended during a poll: still pending, as last answered.
			return last, ctx.Err()
		}
		if err != nil || st.Status != api.RequestPending {
			return st, err
		}
		last = st
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-t.C:
		}
	}
}

// Servers is M1, the directory, signed as a registered server: the
// records changed after q.LastQueryTime (0: all), restricted to
// q.ServerIDs when given, and the serverTime to send as the next
// LastQueryTime.
func (p *Public) Servers(ctx context.Context, q api.ServersQuery) (api.ServersResponse, error) {
	var resp api.ServersResponse
	if p.o.Cert == nil {
		return resp, errors.New("client: the directory is for registered servers: give --cert")
	}
	s, err := p.signedFor(ctx)
	if err != nil {
		return resp, err
	}
	err = p.call(ctx, s, mgmt.PathServers, q, &resp)
	return resp, err
}

// signedFor returns the signing state with a current certificate of the
// management server and a current CRL.
func (p *Public) signedFor(ctx context.Context) (*signedState, error) {
	s, err := p.state()
	if err != nil {
		return nil, err
	}
	if _, err := p.mgmtInfo(ctx); err != nil {
		return nil, err
	}
	if err := p.freshCRL(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// state builds, once, the signer of our identity and the verifier of the
// management server's answers.
func (p *Public) state() (*signedState, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.signed != nil {
		return p.signed, nil
	}
	if p.roots == nil {
		return nil, errors.New("client: signed calls need the pinned root to authenticate the management server (--root, or imictl dir bootstrap)")
	}
	if p.o.Key == nil {
		return nil, errors.New("client: signed calls need the server's private key (--key)")
	}
	var signer *httpsig.Signer
	var err error
	if p.o.Cert != nil {
		signer, err = httpsig.NewSigner(p.o.Key, p.o.Cert)
	} else {
		signer, err = httpsig.NewKeySigner(p.o.Key, p.o.ServerID)
	}
	if err != nil {
		return nil, err
	}
	signer.SetClock(p.o.Now)
	verifier, err := httpsig.NewVerifier(httpsig.Options{
		Self:     signer.ServerID(),
		Resolver: mgmtOnly{p},
		Roots:    p.roots,
		CRL:      p.crls,
		Now:      p.o.Now,
	})
	if err != nil {
		return nil, err
	}
	p.signed = &signedState{signer: signer, verifier: verifier}
	return p.signed, nil
}

// mgmtOnly resolves the management server alone, for the verifier of its
// answers.
type mgmtOnly struct{ p *Public }

func (m mgmtOnly) Resolve(ctx context.Context, serverID string) (*httpsig.ServerInfo, error) {
	if serverID != m.p.o.MgmtID {
		return nil, fmt.Errorf("%w %q: only the management server %s answers here", httpsig.ErrUnknownServer, serverID, m.p.o.MgmtID)
	}
	return m.p.mgmtInfo(ctx)
}

// mgmtInfo is the management server's record: its certificate from M2,
// fetched the first time and again when due.
func (p *Public) mgmtInfo(ctx context.Context) (*httpsig.ServerInfo, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.self != nil && !p.self.due(p.o.Now()) {
		return p.self.info, nil
	}
	if _, err := p.fetchMgmt(ctx); err != nil {
		return nil, err
	}
	return p.self.info, nil
}

// renewMgmt fetches the management server's certificate again, whether
// due or not, and reports whether it changed.
func (p *Public) renewMgmt(ctx context.Context) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	changed, err := p.fetchMgmt(ctx)
	return err == nil && changed
}

// fetchMgmt fetches the management server's certificate (M2) into p.self
// and reports whether it differs from the one held. Called with p.mu held.
func (p *Public) fetchMgmt(ctx context.Context) (bool, error) {
	cert, err := p.ServerCert(ctx, p.o.MgmtID)
	if err != nil {
		return false, err
	}
	changed := p.self == nil || !bytes.Equal(cert.Raw, p.self.info.Certificate.Raw)
	p.self = &mgmtCert{info: &httpsig.ServerInfo{ServerID: p.o.MgmtID, Status: httpsig.StatusNormal, Certificate: cert, Address: p.o.BaseURL}, fetched: p.o.Now()}
	return changed, nil
}

// freshCRL fetches the CRL when the one held is missing or stale. One
// fetch at a time: concurrent calls wait for it rather than repeat it.
func (p *Public) freshCRL(ctx context.Context) error {
	if _, err := p.crls.Current(); err == nil {
		return nil
	}
	p.crlMu.Lock()
	defer p.crlMu.Unlock()
	if _, err := p.crls.Current(); err == nil {
		return nil
	}
	if err := p.crls.Refresh(ctx); err != nil {
		return err
	}
	_, err := p.crls.Current() // the management server may serve a stale one
	return err
}

// renewable are the failures of an answer that a new certificate of the
// management server may explain.
var renewable = map[httpsig.Reason]bool{
	httpsig.ReasonSignatureInvalid: true,
	httpsig.ReasonCertExpired:      true,
	httpsig.ReasonCertRevoked:      true,
	httpsig.ReasonCertInvalid:      true,
}

// exchange signs req, sends it and authenticates the answer, whose body it
// returns read. The management server's refusal of the request is a
// *mgmt.Error when authenticated and one of its own reasons, else an
// *httpsig.AuthError with Reported set; an answer that fails
// authentication is an *httpsig.AuthError with Side SideResponse. Both
// come wrapped in a *url.Error naming the call, as from an http.Client.
func (p *Public) exchange(ctx context.Context, s *signedState, req *http.Request) (*http.Response, []byte, error) {
	if err := s.signer.SignRequest(req, p.o.MgmtID); err != nil {
		return nil, nil, err
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	data, err := readAnswer(resp, maxAnswer, req.URL.String())
	if err != nil {
		return nil, nil, err
	}
	verr := s.verifier.VerifyResponse(req, resp, data, p.o.MgmtID)
	var ae *httpsig.AuthError
	if errors.As(verr, &ae) && ae.Side == httpsig.SideResponse && renewable[ae.Reason] && p.renewMgmt(ctx) {
		verr = s.verifier.VerifyResponse(req, resp, data, p.o.MgmtID)
	}
	if resp.StatusCode >= 400 {
		var env api.Envelope
		if json.Unmarshal(data, &env) == nil && env.Reason != "" {
			if verr == nil && mgmt.KnownReason(env.Reason) {
				return nil, nil, &mgmt.Error{Reason: env.Reason, Desc: env.Desc, Status: resp.StatusCode}
			}
			refused := &httpsig.AuthError{Side: httpsig.SideRequest, Reason: httpsig.Reason(env.Reason), Status: resp.StatusCode, Message: env.Desc, Peer: p.o.MgmtID, Reported: true}
			if verr != nil {
				refused.Unverified = verr.Error()
			}
			verr = refused
		}
	}
	if verr != nil {
		return nil, nil, &url.Error{Op: "Post", URL: req.URL.String(), Err: verr}
	}
	return resp, data, nil
}

package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/emmansun/gmsm/sm3"

	"github.com/imictl/imictl/internal/callinfo"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// maxPublicBody bounds the bodies of unauthenticated calls (a submit with
// its CSR is the largest); signed calls are bounded by the verifier.
const maxPublicBody = 64 << 10

const contentTypeJSON = "application/json;charset=utf-8"

// publicAPI serves the management interfaces to IM servers and applicants.
// Every answer is signed by the management server (signed calls through
// the verifier's middleware, the others by signReplies).
type publicAPI struct {
	svc      *mgmt.Service
	verifier *httpsig.Verifier
	signer   *httpsig.Signer
	rootPEM  []byte
	log      *slog.Logger

	full fullDirectory
}

// fullDirectory caches the encoded answer to a full M1 query (all servers,
// lastQueryTime 0: what every IM server asks at start), valid while the
// store's change clock has not moved, with its SM3 digest: the answer is
// megabytes, and digesting it again for every query cost as much as
// reading it from the store.
type fullDirectory struct {
	mu         sync.Mutex
	serverTime int64
	body       []byte
	digest     []byte
}

func (p *publicAPI) handler() http.Handler {
	mux := http.NewServeMux()
	signed := p.verifier.Middleware
	mux.Handle("POST "+mgmt.PathServers, signed(http.HandlerFunc(p.servers)))
	mux.Handle("POST "+mgmt.PathModify, signed(http.HandlerFunc(p.modify)))
	mux.Handle("POST "+mgmt.PathCancel, signed(http.HandlerFunc(p.cancel)))
	mux.Handle("POST "+mgmt.PathSubmit, p.signReplies(http.HandlerFunc(p.submit)))
	mux.Handle("POST "+mgmt.PathStatus, p.signReplies(http.HandlerFunc(p.status)))
	mux.Handle("POST "+mgmt.PathServerCert, p.signReplies(http.HandlerFunc(p.serverCert)))
	mux.Handle("GET "+mgmt.PathCRL, p.signReplies(http.HandlerFunc(p.crl)))
	mux.Handle("GET "+mgmt.PathRoot, p.signReplies(http.HandlerFunc(p.root)))
	mux.Handle("/", p.signReplies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeEnvelope(w, http.StatusNotFound, api.Fail("not_found", fmt.Sprintf("no management interface %s %s (docs/PROTOCOL.md, section 5)", r.Method, r.URL.Path)))
	})))
	return mux
}

// servers is M1: the directory, to registered servers only.
func (p *publicAPI) servers(w http.ResponseWriter, r *http.Request) {
	var q api.ServersQuery
	if !p.decode(w, r, r.Body, &q) {
		return
	}
	full := q.LastQueryTime == 0 && len(q.ServerIDs) == 0
	if full {
		if body, digest := p.full.get(p.svc); body != nil {
			p.writeCached(w, body, digest)
			return
		}
	}
	resp, err := p.svc.Directory(r.Context(), q)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	body, err := json.Marshal(resp)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if !full {
		writeRaw(w, body)
		return
	}
	digest := sm3.Sum(body)
	p.full.put(resp.ServerTime, body, digest[:])
	p.writeCached(w, body, digest[:])
}

// writeCached answers with a full directory whose digest is known.
func (p *publicAPI) writeCached(w http.ResponseWriter, body, digest []byte) {
	w.Header().Set("Content-Type", contentTypeJSON)
	if err := httpsig.StreamResponse(w, http.StatusOK, digest, int64(len(body)), bytes.NewReader(body)); err != nil {
		p.log.Debug("writing the directory failed", "err", err)
	}
}

// get returns the cached answer and its digest if nothing changed since it
// was made.
func (f *fullDirectory) get(svc *mgmt.Service) (body, digest []byte) {
	clock, err := svc.Store().ChangeClock()
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil || f.body == nil || clock != f.serverTime {
		return nil, nil
	}
	return f.body, f.digest
}

func (f *fullDirectory) put(serverTime int64, body, digest []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if serverTime >= f.serverTime {
		f.serverTime, f.body, f.digest = serverTime, body, digest
	}
}

// submit applies for registration; unauthenticated, the CSR's signature
// proves possession of the key.
func (p *publicAPI) submit(w http.ResponseWriter, r *http.Request) {
	var req api.SubmitRequest
	if !p.decode(w, r, http.MaxBytesReader(w, r.Body, maxPublicBody), &req) {
		return
	}
	a, err := p.svc.Submit(r.Context(), req)
	p.applied(w, r, a, err)
}

func (p *publicAPI) modify(w http.ResponseWriter, r *http.Request) {
	var req api.ModifyRequest
	if !p.decode(w, r, r.Body, &req) {
		return
	}
	origin, _ := httpsig.OriginFrom(r.Context())
	a, err := p.svc.Modify(r.Context(), origin, req)
	p.applied(w, r, a, err)
}

func (p *publicAPI) cancel(w http.ResponseWriter, r *http.Request) {
	var req api.CancelRequest
	if !p.decode(w, r, r.Body, &req) {
		return
	}
	origin, _ := httpsig.OriginFrom(r.Context())
	a, err := p.svc.Cancel(r.Context(), origin, req)
	p.applied(w, r, a, err)
}

func (p *publicAPI) applied(w http.ResponseWriter, r *http.Request, a store.Application, err error) {
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.log.Info("application received", "request", a.ID, "kind", a.Kind, "server", a.ServerID)
	writeEnvelope(w, http.StatusOK, api.RequestIDResponse{Envelope: api.OK(), RequestID: a.ID})
}

// status shows an application to its applicant only: the request must be
// signed, as the application's serverId, with the key of its CSR or of the
// server's current certificate (docs/PROTOCOL.md section 5.2).
func (p *publicAPI) status(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPublicBody))
	if err != nil {
		p.fail(w, r, bodyError(err))
		return
	}
	var req api.StatusRequest
	if !p.decode(w, r, bytes.NewReader(body), &req) {
		return
	}
	st, err := p.svc.Status(r.Context(), req.RequestID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	a := st.Application
	keys, err := p.svc.ApplicantKeys(a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	origin, err := p.verifier.VerifyRequestWithKey(r, body, keys...)
	var ae *httpsig.AuthError
	if errors.As(err, &ae) {
		p.log.Info("refused a status call", "reason", ae.Reason, "request", a.ID, "detail", ae.Message)
		callinfo.SignatureRefused(r.Context(), string(ae.Reason), ae.Message)
		writeEnvelope(w, ae.Status, api.Fail(string(ae.Reason), ae.Message))
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	callinfo.Verified(r.Context(), origin)
	if origin != a.ServerID {
		p.fail(w, r, fmt.Errorf("%w: %s is an application of %q, not of %q", mgmt.ErrForbidden, a.ID, a.ServerID, origin))
		return
	}
	resp := api.StatusResponse{
		Envelope:     api.OK(),
		RequestID:    a.ID,
		ServerID:     a.ServerID,
		Kind:         map[store.Kind]string{store.KindNew: api.KindSubmit, store.KindModify: api.KindModify, store.KindCancel: api.KindCancel}[a.Kind],
		Status:       string(a.State),
		StatusReason: a.Reason,
	}
	if st.Certificate != nil {
		resp.ServerCert = string(pki.EncodeCertificatePEM(st.Certificate))
	}
	writeEnvelope(w, http.StatusOK, resp)
}

// serverCert is M2.
func (p *publicAPI) serverCert(w http.ResponseWriter, r *http.Request) {
	var req api.GetServerCertRequest
	if !p.decode(w, r, http.MaxBytesReader(w, r.Body, maxPublicBody), &req) {
		return
	}
	if err := req.Validate(); err != nil {
		p.fail(w, r, &store.ValidationError{Field: "request", Problem: err.Error()})
		return
	}
	der, err := p.svc.ServerCert(r.Context(), req.ServerID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	writeEnvelope(w, http.StatusOK, api.GetServerCertResponse{Envelope: api.OK(), ServerCert: string(pki.EncodeCertificatePEM(der))})
}

func (p *publicAPI) crl(w http.ResponseWriter, r *http.Request) {
	c, err := p.svc.CRL(r.Context())
	if err != nil {
		p.fail(w, r, err)
		return
	}
	writeBytes(w, "application/pkix-crl", c.DER)
}

func (p *publicAPI) root(w http.ResponseWriter, _ *http.Request) {
	writeBytes(w, "application/x-pem-file", p.rootPEM)
}

// decode reads a JSON body (empty means {}) into v with the api package's
// leniency, answering invalid_request itself when it can't.
func (p *publicAPI) decode(w http.ResponseWriter, r *http.Request, body io.Reader, v any) bool {
	data, err := io.ReadAll(body)
	if err != nil {
		callinfo.Refused(r.Context(), "invalid_request", bodyError(err).Error())
		writeEnvelope(w, http.StatusBadRequest, api.Fail("invalid_request", bodyError(err).Error()))
		return false
	}
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte("{}")
	}
	if err := json.Unmarshal(data, v); err != nil {
		callinfo.Refused(r.Context(), "invalid_request", "the body is not the expected JSON")
		writeEnvelope(w, http.StatusBadRequest, api.Fail("invalid_request", "the body is not the expected JSON: "+err.Error()))
		return false
	}
	return true
}

func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &store.ValidationError{Field: "body", Problem: fmt.Sprintf("larger than %d bytes", mbe.Limit)}
	}
	return fmt.Errorf("reading the body: %w", err)
}

// fail answers a refusal with the management envelope and its reason.
// Internal errors are logged and not described to the caller.
func (p *publicAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := mgmt.NewError(err)
	if e.Reason == mgmt.ReasonInternal {
		p.log.Error("a management call failed", "path", r.URL.Path, "err", err)
		e.Desc = "internal error of the management server; its log has the details"
	}
	callinfo.Refused(r.Context(), e.Reason, e.Desc)
	writeEnvelope(w, e.HTTPStatus(), api.Fail(e.Reason, e.Desc))
}

func writeEnvelope(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"1","desc":"encoding the answer failed","reason":"internal"}`)
	}
	w.Header().Set("Content-Type", contentTypeJSON)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// writeRaw answers 200 with an encoded JSON body.
func writeRaw(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func writeBytes(w http.ResponseWriter, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// signReplies signs the answers of calls that are not authenticated (or,
// for status, authenticated by the handler): a caller that knows the
// management server's certificate can check who answered, and a signed
// request gets an answer bound to it (docs/PROTOCOL.md, section 3.4).
func (p *publicAPI) signReplies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := &bufferedWriter{header: w.Header()}
		next.ServeHTTP(buf, r)
		status := buf.statusOr200()
		body := buf.body.Bytes()
		if err := p.signer.SignResponse(w.Header(), status, body, r); err != nil {
			p.log.Error("signing a response failed", "err", err)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		w.Write(body)
	})
}

// bufferedWriter holds a response until it can be signed.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 && code >= 200 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

func (b *bufferedWriter) statusOr200() int {
	if b.status == 0 {
		return http.StatusOK
	}
	return b.status
}

package clienttest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// Mgmt is a stand-in management server on loopback: the directory (M1,
// signed both ways through httpsig), certificates (M2) and the CRL. Its
// serverId is "center-im". Unlike the real one (internal/mgmt/server), it
// takes any status and any CRL at once, for tests of what a server does
// with them; its M1 answers as the real one does (docs/PROTOCOL.md §5).
type Mgmt struct {
	*httptest.Server
	Self *Server

	mu      sync.Mutex
	records map[string]api.ServerRecord
	changed map[string]int64 // serverId -> change time, as M1's serverTime
	clock   int64            // the last change time given
	certs   map[string]*smx509.Certificate
	crl     []byte
	m1Calls int
}

// NewMgmt starts a management server for ca with an empty CRL and no
// server registered yet.
func NewMgmt(t testing.TB, ca *CA) *Mgmt {
	t.Helper()
	m := &Mgmt{Self: ca.Server(t, "center-im"), records: map[string]api.ServerRecord{}, changed: map[string]int64{},
		certs: map[string]*smx509.Certificate{}, crl: ca.CRL(t)}
	v, err := httpsig.NewVerifier(httpsig.Options{
		Self: m.Self.ID, Resolver: m, Roots: ca.Roots, CRL: ca.CRLProvider(t), Signer: m.Self.Signer,
		Logger: slog.New(slog.DiscardHandler),
	})
	check(t, err)
	mux := http.NewServeMux()
	mux.Handle("POST /sns/restApi/managerserver/servers", v.Middleware(http.HandlerFunc(m.servers)))
	mux.HandleFunc("POST /sns/restApi/getservercert", m.serverCert)
	mux.HandleFunc("GET /sns/restApi/crl", func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		defer m.mu.Unlock()
		w.Header().Set("Content-Type", "application/pkix-crl")
		w.Write(m.crl)
	})
	m.Server = httptest.NewServer(mux)
	t.Cleanup(m.Close)
	return m
}

// Register lists s in the directory at address with status (again: a
// change, which the next incremental M1 query returns).
func (m *Mgmt) Register(s *Server, address string, status int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records[s.ID] = api.ServerRecord{ServerID: s.ID, ServerName: "Test " + s.ID, ServerAddress: address, Status: status,
		ContactName: "Ops", ContactEmail: "ops@example.com", ContactMobile: "10000000000"}
	m.certs[s.ID] = s.Cert
	// Strictly increasing, in ms of the wall clock when it moves forward:
	// a client sending back the serverTime it got never misses a change.
	m.clock = max(m.clock+1, time.Now().UnixMilli())
	m.changed[s.ID] = m.clock
}

// SetCRL replaces the CRL served (DER).
func (m *Mgmt) SetCRL(der []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.crl = der
}

// M1Calls counts the directory queries answered.
func (m *Mgmt) M1Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m1Calls
}

// Resolve implements httpsig.Resolver over the registered servers, for the
// management server's own verifier.
func (m *Mgmt) Resolve(_ context.Context, id string) (*httpsig.ServerInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.records[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", httpsig.ErrUnknownServer, id)
	}
	return &httpsig.ServerInfo{ServerID: id, Status: rec.Status, Certificate: m.certs[id], Address: rec.ServerAddress}, nil
}

// servers answers M1 as the real store does: the records changed after
// lastQueryTime (0: all), restricted to serverIds when given, by serverId,
// unknown ids left out; serverTime is the last change time.
func (m *Mgmt) servers(w http.ResponseWriter, r *http.Request) {
	var q api.ServersQuery
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &q); err != nil {
		writeMgmt(w, http.StatusBadRequest, api.Fail("invalid_request", err.Error()))
		return
	}
	if err := q.Validate(); err != nil {
		writeMgmt(w, http.StatusBadRequest, api.Fail("invalid_request", err.Error()))
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m1Calls++
	ids := q.ServerIDs
	if len(ids) == 0 {
		ids = slices.Collect(maps.Keys(m.records))
	}
	slices.Sort(ids)
	resp := api.ServersResponse{Envelope: api.OK(), Servers: []api.ServerRecord{}, ServerTime: m.clock}
	for _, id := range slices.Compact(ids) {
		if rec, ok := m.records[id]; ok && m.changed[id] > q.LastQueryTime {
			resp.Servers = append(resp.Servers, rec)
		}
	}
	writeMgmt(w, http.StatusOK, resp)
}

func (m *Mgmt) serverCert(w http.ResponseWriter, r *http.Request) {
	var q api.GetServerCertRequest
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &q); err != nil {
		writeMgmt(w, http.StatusBadRequest, api.Fail("bad_request", err.Error()))
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cert := m.certs[q.ServerID]
	if q.ServerID == m.Self.ID {
		cert = m.Self.Cert
	}
	if cert == nil {
		writeMgmt(w, http.StatusOK, api.Fail("unknown_server", "no such server"))
		return
	}
	writeMgmt(w, http.StatusOK, api.GetServerCertResponse{Envelope: api.OK(), ServerCert: string(pki.EncodeCertificatePEM(cert.Raw))})
}

func writeMgmt(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

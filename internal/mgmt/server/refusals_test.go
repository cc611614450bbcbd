package server_test

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// post sends body to path, signed by signer when it is not nil, and
// returns the status and the management envelope of the answer.
func post(t *testing.T, m *mgmtProc, signer *httpsig.Signer, path string, body []byte) (int, api.Envelope) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, m.URL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if signer != nil {
		if err := signer.SignRequest(req, m.CA().SelfID); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Signature") == "" {
		t.Errorf("%s: the answer is not signed", path)
	}
	var env api.Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatalf("%s: answer %q: %v", path, data, err)
	}
	return resp.StatusCode, env
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Every refusal over HTTP: the exact reason and status, and nothing
// changed (the audit log holds every committed change).
func TestPublicRefusals(t *testing.T) {
	m := startMgmt(t, t.TempDir())
	adm := m.admin(t)
	peerKey, peerCert := register(t, m, adm, "peer", "https://peer.example.com")
	register(t, m, adm, "other", "https://other.example.com")
	goneKey, goneCert := register(t, m, adm, "gone", "https://gone.example.com")
	cancelReq, err := m.as(t, goneKey, goneCert, "").Cancel(bg, api.CancelRequest{ServerID: "gone", Reason: "closing"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adm.Approve(bg, cancelReq, "admin:e2e", ""); err != nil {
		t.Fatal(err)
	}
	peerSigner, err := httpsig.NewSigner(peerKey, peerCert)
	if err != nil {
		t.Fatal(err)
	}
	impostor, err := httpsig.NewKeySigner(newKey(t), "peer") // claims to be peer, wrong key
	if err != nil {
		t.Fatal(err)
	}

	fresh := func(f func(*api.SubmitRequest)) []byte {
		r := submitReq(t, newKey(t), "fresh", "https://fresh.example.com")
		if f != nil {
			f(&r)
		}
		return mustJSON(r)
	}
	brokenCSR := func() string {
		block, _ := pem.Decode([]byte(csrPEM(t, newKey(t), "fresh")))
		block.Bytes[len(block.Bytes)-3] ^= 1
		return string(pem.EncodeToMemory(block))
	}()
	addr := "https://moved.example.com"
	modifyOther := mustJSON(api.ModifyRequest{ServerID: "other", Changes: api.ServerChanges{ServerAddress: &addr}})
	modifyPeer := mustJSON(api.ModifyRequest{ServerID: "peer", Changes: api.ServerChanges{ServerAddress: &addr}})

	tests := []struct {
		name   string
		signer *httpsig.Signer
		path   string
		body   []byte
		status int
		reason string
		desc   string
	}{
		{"duplicate serverId", nil, mgmt.PathSubmit, mustJSON(submitReq(t, newKey(t), "peer", "https://x.example.com")), 409, "server_exists", "peer is taken"},
		{"malformed serverId", nil, mgmt.PathSubmit, fresh(func(r *api.SubmitRequest) { r.ServerID = "fresh.im" }), 400, "invalid_request", "serverId"},
		{"reused cancelled id", nil, mgmt.PathSubmit, mustJSON(submitReq(t, newKey(t), "gone", "https://x.example.com")), 409, "server_id_retired", "gone"},
		{"CSR for another serverId", nil, mgmt.PathSubmit, fresh(func(r *api.SubmitRequest) { r.CSR = csrPEM(t, newKey(t), "someone") }), 400, "csr_wrong_server_id", `the CSR is for "someone"`},
		{"CSR with a broken signature", nil, mgmt.PathSubmit, fresh(func(r *api.SubmitRequest) { r.CSR = brokenCSR }), 400, "invalid_csr", "invalid CSR"},
		{"missing contactName", nil, mgmt.PathSubmit, fresh(func(r *api.SubmitRequest) { r.ContactName = "" }), 400, "invalid_request", "contactName: required"},
		{"missing csr", nil, mgmt.PathSubmit, fresh(func(r *api.SubmitRequest) { r.CSR = "" }), 400, "invalid_request", "csr: required"},
		{"not JSON", nil, mgmt.PathSubmit, []byte(`{"serverId":`), 400, "invalid_request", "not the expected JSON"},
		{"a field twice", nil, mgmt.PathSubmit, []byte(`{"serverId":"a","serverid":"b"}`), 400, "invalid_request", "serverId"},
		{"oversized", nil, mgmt.PathSubmit, fresh(func(r *api.SubmitRequest) { r.Area = strings.Repeat("x", 70<<10) }), 400, "invalid_request", "larger than"},
		{"unsigned modify", nil, mgmt.PathModify, modifyPeer, 401, string(httpsig.ReasonSignatureMissing), "must be signed"},
		{"wrongly signed modify", impostor, mgmt.PathModify, modifyPeer, 401, string(httpsig.ReasonSignatureInvalid), "does not verify"},
		{"modify of another server", peerSigner, mgmt.PathModify, modifyOther, 403, "forbidden", `"peer" signed a request about "other"`},
		{"unsigned cancel", nil, mgmt.PathCancel, mustJSON(api.CancelRequest{ServerID: "peer", Reason: "x"}), 401, string(httpsig.ReasonSignatureMissing), "must be signed"},
		{"wrongly signed cancel", impostor, mgmt.PathCancel, mustJSON(api.CancelRequest{ServerID: "peer", Reason: "x"}), 401, string(httpsig.ReasonSignatureInvalid), "does not verify"},
		{"cancel without a reason", peerSigner, mgmt.PathCancel, mustJSON(api.CancelRequest{ServerID: "peer"}), 400, "invalid_request", "reason: required"},
		{"unsigned directory", nil, mgmt.PathServers, []byte(`{}`), 401, string(httpsig.ReasonSignatureMissing), "must be signed"},
		{"directory by a cancelled server", mustSigner(t, goneKey, goneCert), mgmt.PathServers, []byte(`{}`), 401, string(httpsig.ReasonCertRevoked), "gone"},
		{"unknown server certificate", nil, mgmt.PathServerCert, []byte(`{"serverId":"nobody"}`), 404, "not_found", "nobody"},
		{"status of an unknown request", nil, mgmt.PathStatus, []byte(`{"requestId":"req-999"}`), 404, "not_found", "req-999"},
		{"unsigned status", nil, mgmt.PathStatus, []byte(`{"requestId":"req-1"}`), 401, string(httpsig.ReasonSignatureMissing), "must be signed"},
		{"status by another server", peerSigner, mgmt.PathStatus, []byte(`{"requestId":"req-2"}`), 401, string(httpsig.ReasonSignatureInvalid), "does not verify"},
		{"unknown path", nil, "/sns/restApi/managerserver/nothing", nil, 404, "not_found", "no management interface"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := adm.Audit(bg, store.AuditFilter{})
			if err != nil {
				t.Fatal(err)
			}
			status, env := post(t, m, tt.signer, tt.path, tt.body)
			if status != tt.status || env.Code != api.CodeFail || env.Reason != tt.reason || !strings.Contains(env.Desc, tt.desc) {
				t.Fatalf("got %d %+v, want %d %s containing %q", status, env, tt.status, tt.reason, tt.desc)
			}
			after, _ := adm.Audit(bg, store.AuditFilter{})
			if len(after) != len(before) {
				t.Fatalf("the refusal changed something: %+v", after[len(before):])
			}
		})
	}
}

func mustSigner(t *testing.T, key *sm2.PrivateKey, cert *smx509.Certificate) *httpsig.Signer {
	t.Helper()
	s, err := httpsig.NewSigner(key, cert)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAdminRefusalsAndConcurrentApprovals(t *testing.T) {
	m := startMgmt(t, t.TempDir())
	adm := m.admin(t)
	register(t, m, adm, "alpha", "https://alpha.example.com") // req-1, decided
	if _, err := adm.Approve(bg, "req-1", "admin:two", ""); mgmtReason(err) != "already_decided" {
		t.Fatalf("approve a decided request: %v", err)
	}
	if _, err := adm.Approve(bg, "req-42", "admin:two", ""); mgmtReason(err) != "not_found" {
		t.Fatalf("approve an unknown request: %v", err)
	}

	reqID, err := m.public(t).Submit(bg, submitReq(t, newKey(t), "beta", "https://beta.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = adm.Approve(bg, reqID, fmt.Sprintf("admin:%d", i), "") })
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		} else if mgmtReason(err) != "already_decided" {
			t.Fatalf("a losing approval: %v", err)
		}
	}
	certs, _ := adm.Certificates(bg, store.CertFilter{ServerID: "beta"})
	if wins != 1 || len(certs) != 1 {
		t.Fatalf("%d approvals won, %d certificates for beta", wins, len(certs))
	}
}

// The standard's loose typing: numbers as strings, ids with spaces, the
// table 1 spellings.
func TestLooseTyping(t *testing.T) {
	m := startMgmt(t, t.TempDir())
	adm := m.admin(t)
	key, cert := register(t, m, adm, "alpha", "https://alpha.example.com")
	signer := mustSigner(t, key, cert)
	status, env := post(t, m, signer, mgmt.PathServers, []byte(`{"serverIds":[" alpha "],"lastQueryTime":"0"}`))
	if status != 200 || !env.Succeeded() {
		t.Fatalf("M1: %d %+v", status, env)
	}
	status, env = post(t, m, nil, mgmt.PathServerCert, []byte(`{"serverId ":" alpha "}`))
	if status != 200 || !env.Succeeded() {
		t.Fatalf("M2: %d %+v", status, env)
	}
	r := submitReq(t, newKey(t), "beta", "https://beta.example.com")
	body := fmt.Sprintf(`{"serverId":"beta","serverName":"Beta","serverAddress":"https://beta.example.com","contactName":"Ops","contactEmail":"ops@beta.example.com","contactMobile":13500001111,"productType":"vendor","ownerId":42,"csr":%q}`, r.CSR)
	status, env = post(t, m, nil, mgmt.PathSubmit, []byte(body))
	if status != 200 || !env.Succeeded() {
		t.Fatalf("submit: %d %+v", status, env)
	}
	reqs, _ := adm.Requests(bg, store.ApplicationFilter{ServerID: "beta"})
	if len(reqs) != 1 || reqs[0].Fields.ContactMobile != "13500001111" || reqs[0].Fields.ServerType != "vendor" || reqs[0].Fields.OwnerID != "42" {
		t.Fatalf("stored %+v", reqs)
	}
}

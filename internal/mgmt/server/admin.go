package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"time"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// maxAdminBody bounds admin request bodies (a CSR is the largest).
const maxAdminBody = 256 << 10

// NewAdminHandler serves the admin API (mgmt.AdminPrefix) for svc. It does
// no authentication of its own: serve it on the 0600 unix socket, or
// behind the verifier of administrator certificates (remote.go), which
// names the actor (withActor). selfID is reported by the health call.
func NewAdminHandler(svc *mgmt.Service, selfID string) http.Handler {
	a := adminAPI{svc: svc}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+mgmt.AdminHealth, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, mgmt.AdminHealthInfo{ServerID: selfID, PID: os.Getpid()})
	})
	mux.HandleFunc("GET "+mgmt.AdminRequests, a.requests)
	mux.HandleFunc("GET "+mgmt.AdminRequests+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		respond(w)(svc.Request(r.Context(), r.PathValue("id")))
	})
	mux.HandleFunc("POST "+mgmt.AdminRequests+"/{id}/approve", a.post(func(r *http.Request, b mgmt.AdminBody) (any, error) {
		return svc.Approve(r.Context(), r.PathValue("id"), b.Actor, b.Reason)
	}))
	mux.HandleFunc("POST "+mgmt.AdminRequests+"/{id}/reject", a.post(func(r *http.Request, b mgmt.AdminBody) (any, error) {
		return svc.Reject(r.Context(), r.PathValue("id"), b.Actor, b.Reason)
	}))
	mux.HandleFunc("GET "+mgmt.AdminServers, func(w http.ResponseWriter, r *http.Request) {
		respond(w)(svc.Servers(r.Context()))
	})
	mux.HandleFunc("GET "+mgmt.AdminServers+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		respond(w)(svc.Server(r.Context(), r.PathValue("id")))
	})
	mux.HandleFunc("POST "+mgmt.AdminServers+"/{id}/suspend", a.post(func(r *http.Request, b mgmt.AdminBody) (any, error) {
		return svc.Suspend(r.Context(), r.PathValue("id"), b.Actor)
	}))
	mux.HandleFunc("POST "+mgmt.AdminServers+"/{id}/resume", a.post(func(r *http.Request, b mgmt.AdminBody) (any, error) {
		return svc.Resume(r.Context(), r.PathValue("id"), b.Actor)
	}))
	mux.HandleFunc("GET "+mgmt.AdminCertificates, a.certificates)
	mux.HandleFunc("GET "+mgmt.AdminCertificates+"/{serial}", func(w http.ResponseWriter, r *http.Request) {
		respond(w)(svc.Certificate(r.Context(), r.PathValue("serial")))
	})
	mux.HandleFunc("POST "+mgmt.AdminCertificates, a.post(func(r *http.Request, b mgmt.AdminBody) (any, error) {
		var validity time.Duration
		if b.Validity != "" {
			d, err := time.ParseDuration(b.Validity)
			if err != nil || d <= 0 {
				return nil, &store.ValidationError{Field: "validity", Problem: fmt.Sprintf("%q: want a positive duration such as 8760h", b.Validity)}
			}
			validity = d
		}
		if b.Admin != "" {
			return svc.SignAdminCSR(r.Context(), []byte(b.CSR), b.Admin, validity, b.Actor)
		}
		return svc.SignCSR(r.Context(), []byte(b.CSR), validity, b.Actor)
	}))
	mux.HandleFunc("POST "+mgmt.AdminCertificates+"/{serial}/revoke", a.post(func(r *http.Request, b mgmt.AdminBody) (any, error) {
		return svc.Revoke(r.Context(), r.PathValue("serial"), b.Code, b.Actor)
	}))
	mux.HandleFunc("GET "+mgmt.AdminCRL, func(w http.ResponseWriter, r *http.Request) {
		respond(w)(svc.CRL(r.Context()))
	})
	mux.HandleFunc("POST "+mgmt.AdminCRL, a.post(func(r *http.Request, b mgmt.AdminBody) (any, error) {
		return svc.RegenerateCRL(r.Context(), b.Actor)
	}))
	mux.HandleFunc("GET "+mgmt.AdminNotifications, a.notifications)
	mux.HandleFunc("GET "+mgmt.AdminQueuedChanges, func(w http.ResponseWriter, r *http.Request) {
		respond(w)(svc.QueuedChanges(r.Context()))
	})
	mux.HandleFunc("POST "+mgmt.AdminRetry, a.post(func(r *http.Request, b mgmt.AdminBody) (any, error) {
		n, err := svc.RetryNotifications(r.Context(), b.Destination, b.Actor)
		return mgmt.AdminCount{Count: n}, err
	}))
	mux.HandleFunc("GET "+mgmt.AdminAudit, a.audit)
	mux.HandleFunc("GET "+mgmt.AdminBackup, func(w http.ResponseWriter, r *http.Request) {
		// Streamed from one read transaction: the server goes on
		// meanwhile. A failure half-way cuts the answer short, which the
		// client detects by the missing trailer.
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Trailer", mgmt.BackupTrailer)
		n, err := svc.Backup(r.Context(), w)
		if err == nil {
			w.Header().Set(mgmt.BackupTrailer, strconv.FormatInt(n, 10))
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAdminError(w, &mgmt.Error{Reason: "not_found", Desc: fmt.Sprintf("no admin call %s %s: this server speaks %s", r.Method, r.URL.Path, mgmt.AdminPrefix), Status: http.StatusNotFound})
	})
	return mux
}

type adminAPI struct{ svc *mgmt.Service }

// actorKey carries the authenticated actor of a call ("admin:<name>" of
// an administrator certificate), which replaces the body's.
type actorKey struct{}

// withActor makes actor the one every call of r records.
func withActor(r *http.Request, actor string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), actorKey{}, actor))
}

// post decodes an AdminBody and answers with what call returns.
func (a adminAPI) post(call func(*http.Request, mgmt.AdminBody) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b mgmt.AdminBody
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
		if err == nil {
			err = json.Unmarshal(data, &b)
		}
		if err != nil {
			writeAdminError(w, &store.ValidationError{Field: "body", Problem: err.Error()})
			return
		}
		if actor, ok := r.Context().Value(actorKey{}).(string); ok {
			b.Actor = actor // authenticated: what the body says does not count
		}
		respond(w)(call(r, b))
	}
}

func (a adminAPI) requests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	respond(w)(a.svc.Requests(r.Context(), store.ApplicationFilter{
		State: store.State(q.Get("state")), Kind: store.Kind(q.Get("kind")), ServerID: q.Get("serverId"),
	}))
}

func (a adminAPI) certificates(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.CertFilter{ServerID: q.Get("serverId"), Admin: q.Get("admin"), Status: store.CertStatus(q.Get("status"))}
	if s := q.Get("expiringBefore"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			writeAdminError(w, &store.ValidationError{Field: "expiringBefore", Problem: "want an RFC 3339 time: " + err.Error()})
			return
		}
		f.ExpiringBefore = t
	}
	respond(w)(a.svc.Certificates(r.Context(), f))
}

func (a adminAPI) notifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := queryInt(q.Get("limit"), "limit")
	if err != nil {
		writeAdminError(w, err)
		return
	}
	respond(w)(a.svc.Notifications(r.Context(), store.OutboxFilter{
		Destination: q.Get("destination"), State: store.OutboxState(q.Get("state")), Limit: limit,
	}))
}

func (a adminAPI) audit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := queryInt(q.Get("limit"), "limit")
	if err != nil {
		writeAdminError(w, err)
		return
	}
	after, err := queryInt(q.Get("after"), "after")
	if err != nil {
		writeAdminError(w, err)
		return
	}
	respond(w)(a.svc.Audit(r.Context(), store.AuditFilter{After: uint64(after), Subject: q.Get("subject"), Limit: limit}))
}

func queryInt(s, name string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, &store.ValidationError{Field: name, Problem: fmt.Sprintf("%q: want a whole number", s)}
	}
	return n, nil
}

// respond writes v (a nil list as []), or the error.
func respond(w http.ResponseWriter) func(any, error) {
	return func(v any, err error) {
		if err != nil {
			writeAdminError(w, err)
			return
		}
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.IsNil() {
			v = []struct{}{}
		}
		writeJSON(w, http.StatusOK, v)
	}
}

func writeAdminError(w http.ResponseWriter, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = &store.ValidationError{Field: "body", Problem: fmt.Sprintf("larger than %d bytes", mbe.Limit)}
	}
	e := mgmt.NewError(err)
	writeJSON(w, e.HTTPStatus(), e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"reason":"internal","desc":"encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// Admin calls the admin API of a running management server: over its unix
// socket (NewAdmin), or over HTTP(S) with every call signed by an
// administrator certificate and every answer authenticated (DialRemote).
// The calls are the same either way. It implements mgmt.Admin.
type Admin struct {
	base   string       // the API's base URL
	where  string       // what is called, for errors
	remote bool         // over the network, signed
	http   *http.Client // its Transport reaches the socket, or signs
}

var _ mgmt.Admin = (*Admin)(nil)

// DialTimeout bounds connecting to the socket. A socket nobody listens on
// fails at once (no such file, connection refused), so this only bounds a
// server too busy to take the connection: generous, so that a loaded
// machine is not taken for a stopped server.
const DialTimeout = 2 * time.Second

// NewAdmin returns a client for the admin socket at path. It does not
// connect: Health does.
func NewAdmin(path string) *Admin {
	d := net.Dialer{Timeout: DialTimeout}
	return &Admin{base: "http://admin", where: "the management server's admin socket " + path, http: &http.Client{
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return d.DialContext(ctx, "unix", path)
			},
			MaxIdleConns: 2,
		},
	}}
}

// Close releases idle connections.
func (a *Admin) Close() error {
	a.http.CloseIdleConnections()
	return nil
}

// Health asks the server who it is; it fails fast when nobody listens.
func (a *Admin) Health(ctx context.Context) (mgmt.AdminHealthInfo, error) {
	var h mgmt.AdminHealthInfo
	err := a.call(ctx, http.MethodGet, mgmt.AdminHealth, nil, nil, &h)
	return h, err
}

// The methods below implement mgmt.Admin; see there.

func (a *Admin) Requests(ctx context.Context, f store.ApplicationFilter) ([]store.Application, error) {
	var out []store.Application
	q := query("state", string(f.State), "kind", string(f.Kind), "serverId", f.ServerID)
	return out, a.call(ctx, http.MethodGet, mgmt.AdminRequests, q, nil, &out)
}

func (a *Admin) Request(ctx context.Context, id string) (store.Application, error) {
	var out store.Application
	return out, a.call(ctx, http.MethodGet, mgmt.AdminRequests+"/"+url.PathEscape(id), nil, nil, &out)
}

func (a *Admin) Approve(ctx context.Context, id, reviewer, note string) (store.Application, error) {
	var out store.Application
	return out, a.call(ctx, http.MethodPost, mgmt.AdminRequests+"/"+url.PathEscape(id)+"/approve", nil, mgmt.AdminBody{Actor: reviewer, Reason: note}, &out)
}

func (a *Admin) Reject(ctx context.Context, id, reviewer, reason string) (store.Application, error) {
	var out store.Application
	return out, a.call(ctx, http.MethodPost, mgmt.AdminRequests+"/"+url.PathEscape(id)+"/reject", nil, mgmt.AdminBody{Actor: reviewer, Reason: reason}, &out)
}

func (a *Admin) Servers(ctx context.Context) ([]store.Server, error) {
	var out []store.Server
	return out, a.call(ctx, http.MethodGet, mgmt.AdminServers, nil, nil, &out)
}

func (a *Admin) Server(ctx context.Context, id string) (store.Server, error) {
	var out store.Server
	return out, a.call(ctx, http.MethodGet, mgmt.AdminServers+"/"+url.PathEscape(id), nil, nil, &out)
}

func (a *Admin) Suspend(ctx context.Context, serverID, actor string) (store.Server, error) {
	var out store.Server
	return out, a.call(ctx, http.MethodPost, mgmt.AdminServers+"/"+url.PathEscape(serverID)+"/suspend", nil, mgmt.AdminBody{Actor: actor}, &out)
}

func (a *Admin) Resume(ctx context.Context, serverID, actor string) (store.Server, error) {
	var out store.Server
	return out, a.call(ctx, http.MethodPost, mgmt.AdminServers+"/"+url.PathEscape(serverID)+"/resume", nil, mgmt.AdminBody{Actor: actor}, &out)
}

func (a *Admin) Certificates(ctx context.Context, f store.CertFilter) ([]store.Certificate, error) {
	var out []store.Certificate
	q := query("serverId", f.ServerID, "admin", f.Admin, "status", string(f.Status))
	if !f.ExpiringBefore.IsZero() {
		q.Set("expiringBefore", f.ExpiringBefore.Format(time.RFC3339))
	}
	return out, a.call(ctx, http.MethodGet, mgmt.AdminCertificates, q, nil, &out)
}

func (a *Admin) Certificate(ctx context.Context, serial string) (store.Certificate, error) {
	var out store.Certificate
	return out, a.call(ctx, http.MethodGet, mgmt.AdminCertificates+"/"+url.PathEscape(serial), nil, nil, &out)
}

func (a *Admin) SignCSR(ctx context.Context, csrPEM []byte, validity time.Duration, actor string) (store.Certificate, error) {
	var out store.Certificate
	b := mgmt.AdminBody{Actor: actor, CSR: string(csrPEM)}
	if validity > 0 {
		b.Validity = validity.String()
	}
	return out, a.call(ctx, http.MethodPost, mgmt.AdminCertificates, nil, b, &out)
}

func (a *Admin) SignAdminCSR(ctx context.Context, csrPEM []byte, name string, validity time.Duration, actor string) (store.Certificate, error) {
	var out store.Certificate
	b := mgmt.AdminBody{Actor: actor, CSR: string(csrPEM), Admin: name}
	if validity > 0 {
		b.Validity = validity.String()
	}
	return out, a.call(ctx, http.MethodPost, mgmt.AdminCertificates, nil, b, &out)
}

func (a *Admin) Revoke(ctx context.Context, serial string, reason int, actor string) (store.Certificate, error) {
	var out store.Certificate
	return out, a.call(ctx, http.MethodPost, mgmt.AdminCertificates+"/"+url.PathEscape(serial)+"/revoke", nil, mgmt.AdminBody{Actor: actor, Code: reason}, &out)
}

func (a *Admin) CRL(ctx context.Context) (store.CRL, error) {
	var out store.CRL
	return out, a.call(ctx, http.MethodGet, mgmt.AdminCRL, nil, nil, &out)
}

func (a *Admin) RegenerateCRL(ctx context.Context, actor string) (store.CRL, error) {
	var out store.CRL
	return out, a.call(ctx, http.MethodPost, mgmt.AdminCRL, nil, mgmt.AdminBody{Actor: actor}, &out)
}

func (a *Admin) Notifications(ctx context.Context, f store.OutboxFilter) ([]store.OutboxEntry, error) {
	var out []store.OutboxEntry
	q := query("destination", f.Destination, "state", string(f.State))
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	return out, a.call(ctx, http.MethodGet, mgmt.AdminNotifications, q, nil, &out)
}

func (a *Admin) QueuedChanges(ctx context.Context) ([]store.OutboxChange, error) {
	var out []store.OutboxChange
	return out, a.call(ctx, http.MethodGet, mgmt.AdminQueuedChanges, nil, nil, &out)
}

func (a *Admin) RetryNotifications(ctx context.Context, destination, actor string) (int, error) {
	var out mgmt.AdminCount
	err := a.call(ctx, http.MethodPost, mgmt.AdminRetry, nil, mgmt.AdminBody{Actor: actor, Destination: destination}, &out)
	return out.Count, err
}

func (a *Admin) Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	var out []store.AuditEntry
	q := query("subject", f.Subject)
	if f.After > 0 {
		q.Set("after", strconv.FormatUint(f.After, 10))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	return out, a.call(ctx, http.MethodGet, mgmt.AdminAudit, q, nil, &out)
}

// Backup streams the database from the running server into w. An answer
// cut short (no size trailer, or another size) is an error, so that a
// partial copy is never taken for a backup.
func (a *Admin) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if a.remote {
		// A signed answer is digested whole before it is used: a database
		// does not travel that way. The copy is made where the data is.
		return 0, fmt.Errorf("%w: backup is not offered over the remote admin API; run `imictl admin backup` on the management server's host", mgmt.ErrForbidden)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+mgmt.AdminBackup, nil)
	if err != nil {
		return 0, err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", a.where, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := readAnswer(resp, maxAdminAnswer, "admin API backup")
		return 0, fmt.Errorf("admin API backup: HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(data))
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("receiving the backup: %w", err)
	}
	if want := resp.Trailer.Get(mgmt.BackupTrailer); want != strconv.FormatInt(n, 10) {
		return n, fmt.Errorf("the backup was cut short after %d bytes: the server's log says why; try again", n)
	}
	return n, nil
}

// query builds a query from name/value pairs, leaving out empty values.
func query(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	return q
}

// maxAdminAnswer bounds what is read from the socket (a long audit log).
const maxAdminAnswer = 256 << 20

func (a *Admin) call(ctx context.Context, method, path string, q url.Values, body, out any) error {
	u := a.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", a.where, err)
	}
	data, err := readAnswer(resp, maxAdminAnswer, "admin API "+method+" "+path)
	if err != nil {
		return fmt.Errorf("reading the admin answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &mgmt.Error{Status: resp.StatusCode}
		if json.Unmarshal(data, e) != nil || e.Reason == "" {
			return fmt.Errorf("admin API %s %s: HTTP %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
		}
		return e
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("admin API %s %s: unreadable answer: %w", method, path, err)
	}
	return nil
}

package probe

import (
	"errors"
	"net"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/imictl/imictl/internal/ids"
	"github.com/imictl/imictl/internal/mgmt/api"
)

// checkDirectory looks the peer up with a signed M1 query restricted to it.
func (r *run) checkDirectory() Check {
	rec, c := r.lookUp()
	if rec == nil {
		return c
	}
	where := "at " + rec.ServerAddress
	if !ids.IsBaseURL(strings.TrimRight(rec.ServerAddress, "/")) {
		return fail(ClassOther, "bad_address", "its operator registers a base URL (imictl register modify --address URL)",
			"the directory lists %s with serverAddress %q, which is not a base URL http(s)://host[:port][/path]", r.serverID, rec.ServerAddress)
	}
	switch rec.Status {
	case api.ServerNormal:
		return ok("listed by %s, status 0 (normal), %s", r.cfg.MgmtURL, where)
	case api.ServerSuspended:
		return warn("server_suspended", "see policy.status", "listed %s but with status 1 (suspended)", where)
	case api.ServerCancelled:
		return warn("server_cancelled", "see policy.status", "listed %s but with status 2 (cancelled)", where)
	}
	return warn("server_suspended", "see policy.status", "listed %s with status %d, not 0 (normal)", where, rec.Status)
}

// lookUp asks the directory for the record of r.serverID; without one, the
// check that says why.
func (r *run) lookUp() (*api.ServerRecord, Check) {
	ctx, cancel := r.step()
	defer cancel()
	resp, err := r.directory.Servers(ctx, api.ServersQuery{ServerIDs: []string{r.serverID}})
	if err != nil {
		return nil, r.mgmtFailure("the directory query (M1) for "+r.serverID, err)
	}
	for _, rec := range resp.Servers {
		if rec.ServerID == r.serverID {
			r.record = &rec
			return r.record, Check{}
		}
	}
	return nil, fail(ClassAuth, "unknown_server", "check the serverId; a server is listed once an administrator approves its registration",
		"the directory of %s does not list %q: every call from or to it is refused (unknown_server)", r.cfg.MgmtURL, r.serverID)
}

// checkDNS resolves the host of the base URL.
func (r *run) checkDNS() Check {
	if r.base == nil {
		return r.skippedAfter()
	}
	host, p := r.base.Hostname(), port(r.base)
	if ip := net.ParseIP(host); ip != nil {
		r.hosts = []string{net.JoinHostPort(host, p)}
		return ok("%s is an IP address: nothing to resolve", host)
	}
	ctx, cancel := r.step()
	defer cancel()
	start := time.Now()
	addrs, err := net.DefaultResolver.LookupHost(ctx, host)
	took := time.Since(start)
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			return fail(ClassUnavailable, "dns_not_found", "check the host name; its operator must publish a DNS record for it",
				"%s does not resolve: no such host", host)
		}
		return fail(ClassUnavailable, "dns_failed", "check this machine's DNS settings (/etc/resolv.conf) and retry",
			"resolving %s failed: %v", host, err)
	}
	slices.Sort(addrs)
	for _, a := range addrs {
		r.hosts = append(r.hosts, net.JoinHostPort(a, p))
	}
	return ok("%s resolves to %s (in %s)", host, strings.Join(addrs, ", "), took.Round(time.Microsecond*100))
}

// checkTCP connects to the resolved addresses, first to last, until one
// answers.
func (r *run) checkTCP() Check {
	if len(r.hosts) == 0 {
		return r.skippedAfter()
	}
	var errs []string
	refused := true
	for _, h := range r.hosts {
		ctx, cancel := r.step()
		start := time.Now()
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", h)
		took := time.Since(start)
		cancel()
		if err == nil {
			conn.Close()
			return ok("connected to %s in %s", h, took.Round(time.Microsecond*10))
		}
		refused = refused && errors.Is(err, syscall.ECONNREFUSED)
		errs = append(errs, err.Error())
	}
	if refused {
		return fail(ClassUnavailable, "connection_refused", "start the server, or check the address and port: "+r.addressAdvice(),
			"connection refused at %s: nothing listens there", strings.Join(r.hosts, ", "))
	}
	return fail(ClassUnavailable, "connect_failed", "check that the server runs and that no firewall drops the connection: "+r.addressAdvice(),
		"cannot connect to %s: %s", strings.Join(r.hosts, ", "), strings.Join(errs, "; "))
}

// addressAdvice says where the address probed comes from.
func (r *run) addressAdvice() string {
	switch {
	case r.rep.Kind == KindMgmt:
		return "it is your --mgmt URL"
	case r.record != nil:
		return "it is the serverAddress the directory lists for " + r.serverID + " (its operator changes it with imictl register modify)"
	}
	return "it is the URL you gave"
}

package probe

import "github.com/imictl/imictl/internal/mgmt/api"

// checkStatus: the directory's status of the peer, which every server
// checks before accepting its calls or its answers.
func (r *run) checkStatus() Check {
	if r.record == nil {
		return r.skippedAfter()
	}
	id := r.serverID
	switch r.record.Status {
	case api.ServerNormal:
		return ok("status 0 (normal): no server refuses %s for its status", id)
	case api.ServerCancelled:
		return fail(ClassAuth, "server_cancelled", "a cancelled serverId is final: its operator registers anew under another serverId",
			"%s is cancelled (status 2): every server refuses its calls and its answers (server_cancelled)", id)
	}
	return fail(ClassAuth, "server_suspended", "its operator asks the management server's administrator to resume it (imictl admin resume "+id+")",
		"%s is suspended (status %d): every server refuses its calls and its answers (server_suspended)", id, r.record.Status)
}

// checkLists: our own white/black list.
func (r *run) checkLists() Check {
	if r.serverID == "" {
		return r.skippedAfter()
	}
	p := r.cfg.Policy
	if p == nil {
		return skipped("your own white/black list was not given (--im-data-dir DIR reads those of your reference IM server)")
	}
	id := r.serverID
	allow, deny := p.Lists()
	if p.Allowed(id) {
		if allow == nil {
			return ok("your lists let %s in (no white list; %d on the black list)", id, len(deny))
		}
		return ok("your lists let %s in (on your white list of %d)", id, len(allow))
	}
	for _, d := range deny {
		if d == id {
			return fail(ClassAuth, "forbidden_by_policy", "imictl im policy deny "+id+" --remove, if it should be allowed",
				"%s is on your black list: your server refuses its calls and its answers (forbidden_by_policy)", id)
		}
	}
	return fail(ClassAuth, "forbidden_by_policy", "imictl im policy allow "+id+", if it should be allowed",
		"%s is not on your white list: your server refuses its calls and its answers (forbidden_by_policy)", id)
}

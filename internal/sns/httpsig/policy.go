package httpsig

import (
	"slices"
	"sync/atomic"
)

// Policy is the local white list / black list of peer serverIds (the
// standard's §5, step 4). It is safe for concurrent use and can be changed
// while the server runs. A blacklisted server is always refused; when the
// white list is set, only the servers on it are allowed. The servers the
// policy was made with (NewPolicy's always) are allowed whatever the lists
// say.
type Policy struct {
	v      atomic.Pointer[policyLists]
	always map[string]bool
}

type policyLists struct {
	allow map[string]bool // nil: everyone not denied
	deny  map[string]bool
}

// NewPolicy returns a policy that allows every server, and always the
// servers always: an IM server's management server, whose directory
// answers and change notifications it cannot do without (a white list of
// peers that left it out would cut the server off from every suspension).
func NewPolicy(always ...string) *Policy {
	p := &Policy{always: toSet(always)}
	p.v.Store(&policyLists{})
	return p
}

// SetAllowList replaces the white list; nil allows every server not denied.
// An empty non-nil list allows nobody.
func (p *Policy) SetAllowList(ids []string) {
	p.update(func(l *policyLists) { l.allow = toSet(ids) })
}

// SetDenyList replaces the black list.
func (p *Policy) SetDenyList(ids []string) {
	p.update(func(l *policyLists) { l.deny = toSet(ids) })
}

func (p *Policy) update(f func(*policyLists)) {
	for {
		old := p.v.Load()
		next := *old
		f(&next)
		if p.v.CompareAndSwap(old, &next) {
			return
		}
	}
}

func toSet(ids []string) map[string]bool {
	if ids == nil {
		return nil
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// Allowed reports whether serverID may call us (and answer us).
func (p *Policy) Allowed(serverID string) bool {
	if p.always[serverID] {
		return true
	}
	l := p.v.Load()
	if l.deny[serverID] {
		return false
	}
	return l.allow == nil || l.allow[serverID]
}

// Lists returns copies of the current lists, sorted; allow is nil when
// there is no white list.
func (p *Policy) Lists() (allow, deny []string) {
	l := p.v.Load()
	return sortedKeys(l.allow), sortedKeys(l.deny)
}

func sortedKeys(m map[string]bool) []string {
	if m == nil {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

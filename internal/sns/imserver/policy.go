package imserver

import (
	"fmt"
	"slices"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// loadPolicy returns the white/black lists in force: the configuration's
// when it has them (stored, so that the admin API shows them), else those
// last stored.
func loadPolicy(st *imstore.Store, fromConfig *PolicyConfig, mgmtID string) (*httpsig.Policy, error) {
	if fromConfig != nil {
		if err := checkPolicy(fromConfig.Deny, mgmtID); err != nil {
			return nil, fmt.Errorf("in config.json: %w", err)
		}
		if _, err := st.SetPolicy(imstore.Policy{Allow: fromConfig.Allow, Deny: fromConfig.Deny}); err != nil {
			return nil, err
		}
	}
	p, err := st.GetPolicy()
	if err != nil {
		return nil, err
	}
	hp := httpsig.NewPolicy(mgmtID)
	applyPolicy(hp, p)
	return hp, nil
}

// checkPolicy refuses a black list naming the management server, which
// the policy always allows (httpsig.NewPolicy): denying it would only
// seem to work.
func checkPolicy(deny []string, mgmtID string) error {
	if slices.Contains(deny, mgmtID) {
		return invalid(fmt.Errorf("deny: %s is the management server, always allowed: the directory, suspensions and revocations come from it; remove it from the black list", mgmtID))
	}
	return nil
}

// applyPolicy puts stored lists into force. The black list goes first, so
// that a server moving from the white list to the black list is never
// allowed in between.
func applyPolicy(hp *httpsig.Policy, p imstore.Policy) {
	hp.SetDenyList(p.Deny)
	if len(p.Allow) == 0 {
		hp.SetAllowList(nil) // no white list: every server not denied
		return
	}
	hp.SetAllowList(p.Allow)
}

// Policy returns the white/black lists in force.
func (s *Server) Policy() (imstore.Policy, error) { return s.st.GetPolicy() }

// SetPolicy replaces the white/black lists, stored and in force at once:
// the next call of a server now denied is refused before any other check.
func (s *Server) SetPolicy(allow, deny []string) (imstore.Policy, error) {
	if err := checkPolicy(deny, s.cfg.MgmtServerID); err != nil {
		return imstore.Policy{}, err
	}
	s.policyMu.Lock()
	defer s.policyMu.Unlock()
	p, err := s.st.SetPolicy(imstore.Policy{Allow: allow, Deny: deny})
	if err != nil {
		return p, err
	}
	applyPolicy(s.policy, p)
	s.retryParked(nil) // calls our own policy refused may pass now
	return p, nil
}

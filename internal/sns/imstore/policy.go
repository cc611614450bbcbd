package imstore

import (
	"fmt"
	"slices"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// Policy is the operator's white and black lists of peer serverIds (the
// server applies them to httpsig's policy): with a non-empty Allow list
// only those servers may talk to us; Deny always refuses.
type Policy struct {
	Allow     []string  `json:"allow"`
	Deny      []string  `json:"deny"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// normalise checks, sorts and de-duplicates a list of serverIds.
func normalise(field string, list []string) ([]string, error) {
	out := make([]string, 0, len(list))
	for _, id := range list {
		c, err := canonicalDestination(field, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// SetPolicy replaces the lists (sorted, de-duplicated) and returns what was
// stored. A serverId in both lists is refused: say which you mean.
func (s *Store) SetPolicy(p Policy) (Policy, error) {
	var err error
	if p.Allow, err = normalise("allow", p.Allow); err != nil {
		return Policy{}, err
	}
	if p.Deny, err = normalise("deny", p.Deny); err != nil {
		return Policy{}, err
	}
	for _, id := range p.Allow {
		if _, found := slices.BinarySearch(p.Deny, id); found {
			return Policy{}, boltdb.Invalid("policy", "%s is both allowed and denied; remove it from one list", id)
		}
	}
	err = s.update(func(t *txn) error {
		p.UpdatedAt = t.now
		return boltdb.Put(t.b(bucketPolicy), keyPolicy, p)
	})
	if err != nil {
		return Policy{}, err
	}
	return p, nil
}

// GetPolicy returns the stored lists; both empty (everyone with a valid
// certificate may talk to us) until SetPolicy is first called.
func (s *Store) GetPolicy() (Policy, error) {
	p := Policy{Allow: []string{}, Deny: []string{}}
	err := s.view(func(t *txn) error {
		stored, ok, err := boltdb.Get[Policy](t.b(bucketPolicy), keyPolicy)
		if err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		if ok {
			p = stored
		}
		return nil
	})
	return p, err
}

package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// Kind is what an application asks for.
type Kind string

const (
	KindNew    Kind = "new"    // register a server (§6.1.1)
	KindModify Kind = "modify" // change its fields and/or rotate its certificate (§6.1.2)
	KindCancel Kind = "cancel" // cancel it forever (§6.1.3)
)

// State of an application: pending until a reviewer decides, once.
type State string

const (
	StatePending  State = "pending"
	StateApproved State = "approved"
	StateRejected State = "rejected"
)

// Application is a registration, modification or cancellation request.
type Application struct {
	ID       string `json:"id"` // "req-<n>", n counting from 1
	Kind     Kind   `json:"kind"`
	ServerID string `json:"serverId"`
	// Fields: for new, the whole record; for modify, the new values of the
	// fields named in Changed (others are ignored); unused for cancel.
	Fields  ServerFields `json:"fields"`
	Changed []string     `json:"changed,omitempty"` // modify: wire names from FieldNames
	// CSR (PEM) with the server's public key: required for new, optional
	// for modify (then approval rotates the certificate), absent for cancel.
	CSR []byte `json:"csr,omitempty"`
	// Note is the applicant's explanation for the reviewer (the reason
	// given with a cancel application); at most maxNote bytes.
	Note        string    `json:"note,omitempty"`
	SubmittedBy string    `json:"submittedBy"`
	SubmittedAt time.Time `json:"submittedAt"`

	State        State     `json:"state"`
	Reviewer     string    `json:"reviewer,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	DecidedAt    time.Time `json:"decidedAt,omitzero"`
	ResultSerial string    `json:"resultSerial,omitempty"` // the certificate approval issued
}

// ApplicationFilter selects applications; zero values select everything.
type ApplicationFilter struct {
	State    State
	Kind     Kind
	ServerID string
}

func appKey(id string) ([]byte, bool) {
	n, err := strconv.ParseUint(strings.TrimPrefix(id, "req-"), 10, 64)
	if err != nil || !strings.HasPrefix(id, "req-") || n == 0 {
		return nil, false
	}
	return boltdb.U64(n), true
}

// Submit stores a new pending application. It reads Kind, ServerID, Fields,
// Changed, CSR and Note from a; the store sets everything else. Refused: a bad or
// missing field (ErrInvalid), a serverId that is taken (ErrServerExists),
// retired (ErrServerIDRetired), unknown for modify/cancel (ErrNotFound) or
// cancelled (ErrServerCancelled), and a second pending application for the
// same serverId (ErrPendingApplication).
func (s *Store) Submit(actor string, a Application) (Application, error) {
	if err := requireActor(actor); err != nil {
		return Application{}, err
	}
	if err := checkApplication(&a); err != nil {
		return Application{}, err
	}
	err := s.update(func(t *txn) error {
		if err := t.checkSubmittable(a); err != nil {
			return err
		}
		b := t.b(bucketApplications)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		a.ID = "req-" + strconv.FormatUint(seq, 10)
		a.SubmittedBy, a.SubmittedAt, a.State = actor, t.now, StatePending
		if err := boltdb.Put(b, boltdb.U64(seq), a); err != nil {
			return err
		}
		if err := t.b(bucketApplicationsPending).Put([]byte(a.ServerID), boltdb.U64(seq)); err != nil {
			return err
		}
		return t.audit(actor, ActionSubmit, a.ID, fmt.Sprintf("%s %s", a.Kind, a.ServerID))
	})
	if err != nil {
		return Application{}, err
	}
	return a, nil
}

// maxNote bounds Application.Note.
const maxNote = 1024

// checkApplication validates what Submit reads, without the database, and
// clears what it does not read.
func checkApplication(a *Application) error {
	if err := checkServerID("serverId", a.ServerID); err != nil {
		return err
	}
	input := Application{Kind: a.Kind, ServerID: a.ServerID, Fields: a.Fields, Changed: a.Changed, CSR: a.CSR, Note: a.Note}
	*a = input
	if len(a.Note) > maxNote {
		return boltdb.Invalid("note", "longer than %d bytes", maxNote)
	}
	switch a.Kind {
	case KindNew:
		if len(a.Changed) > 0 {
			return boltdb.Invalid("changed", "only a modify application names changed fields")
		}
		for _, name := range FieldNames {
			if !optionalFields[name] && *a.Fields.field(name) == "" {
				return boltdb.Invalid(name, "required for registration")
			}
		}
		if len(a.CSR) == 0 {
			return boltdb.Invalid("csr", "required for registration: it carries the server's public key")
		}
	case KindModify:
		if len(a.Changed) == 0 && len(a.CSR) == 0 {
			return boltdb.Invalid("changed", "a modify application changes at least one field or carries a CSR")
		}
		seen := map[string]bool{}
		for _, name := range a.Changed {
			p := a.Fields.field(name)
			switch {
			case p == nil:
				return boltdb.Invalid("changed", "unknown field %q; the fields are %s (serverId never changes)", name, strings.Join(FieldNames, ", "))
			case seen[name]:
				return boltdb.Invalid("changed", "field %q named twice", name)
			case *p == "" && !optionalFields[name]:
				return boltdb.Invalid(name, "required; it cannot be cleared")
			}
			seen[name] = true
		}
	case KindCancel:
		if len(a.Changed) > 0 || len(a.CSR) > 0 {
			return boltdb.Invalid("kind", "a cancel application carries no fields and no CSR")
		}
	default:
		return boltdb.Invalid("kind", "%q; use new, modify or cancel", a.Kind)
	}
	return nil
}

func (t *txn) checkSubmittable(a Application) error {
	if seq := t.b(bucketApplicationsPending).Get([]byte(a.ServerID)); seq != nil {
		return &PendingApplicationError{ServerID: a.ServerID, ID: "req-" + strconv.FormatUint(boltdb.Btou(seq), 10)}
	}
	if t.retired(a.ServerID) {
		return serverIDRetired(a.ServerID)
	}
	exists := t.b(bucketServers).Get([]byte(a.ServerID)) != nil
	if a.Kind == KindNew {
		if exists {
			return serverExists(a.ServerID)
		}
		return nil
	}
	if !exists {
		return &NotFoundError{Kind: "server", Key: a.ServerID}
	}
	return nil
}

func (t *txn) application(id string) ([]byte, Application, error) {
	key, ok := appKey(id)
	if !ok {
		return nil, Application{}, &NotFoundError{Kind: "application", Key: id}
	}
	a, ok, err := boltdb.Get[Application](t.b(bucketApplications), key)
	if err != nil {
		return nil, a, fmt.Errorf("application %s: %w", id, err)
	}
	if !ok {
		return nil, a, &NotFoundError{Kind: "application", Key: id}
	}
	return key, a, nil
}

// GetApplication returns the application with this id.
func (s *Store) GetApplication(id string) (Application, error) {
	var a Application
	err := s.view(func(t *txn) error {
		var err error
		_, a, err = t.application(id)
		return err
	})
	return a, err
}

// ListApplications returns the applications f selects, oldest first.
func (s *Store) ListApplications(f ApplicationFilter) ([]Application, error) {
	var out []Application
	err := s.view(func(t *txn) error {
		return t.b(bucketApplications).ForEach(func(k, v []byte) error {
			a, err := boltdb.Decode[Application](v)
			if err != nil {
				return fmt.Errorf("application req-%d: %w", boltdb.Btou(k), err)
			}
			if (f.State == "" || a.State == f.State) && (f.Kind == "" || a.Kind == f.Kind) && (f.ServerID == "" || a.ServerID == f.ServerID) {
				out = append(out, a)
			}
			return nil
		})
	})
	return out, err
}

// decide is the compare-and-swap at the heart of Approve and Reject: it
// loads the application, refuses unless it is still pending, lets apply
// make the consequences, and stores the decision, all in one transaction.
func (s *Store) decide(id string, to State, reviewer, reason string, apply func(t *txn, a *Application) error) (Application, error) {
	var a Application
	err := s.update(func(t *txn) error {
		key, cur, err := t.application(id)
		if err != nil {
			return err
		}
		if cur.State != StatePending {
			return &AlreadyDecidedError{ID: id, State: cur.State, Reviewer: cur.Reviewer}
		}
		a = cur
		if err := apply(t, &a); err != nil {
			return err
		}
		a.State, a.Reviewer, a.Reason, a.DecidedAt = to, reviewer, reason, t.now
		if err := boltdb.Put(t.b(bucketApplications), key, a); err != nil {
			return err
		}
		if err := t.b(bucketApplicationsPending).Delete([]byte(a.ServerID)); err != nil {
			return err
		}
		action := map[State]string{StateApproved: ActionApprove, StateRejected: ActionReject}[to]
		return t.audit(reviewer, action, id, strings.TrimSpace(fmt.Sprintf("%s %s %s", a.Kind, a.ServerID, reason)))
	})
	if err != nil {
		return Application{}, err
	}
	return a, nil
}

// Reject refuses a pending application; reason is shown to the applicant.
func (s *Store) Reject(id, reviewer, reason string) (Application, error) {
	if err := requireActor(reviewer); err != nil {
		return Application{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return Application{}, boltdb.Invalid("reason", "empty; tell the applicant why the application is rejected")
	}
	return s.decide(id, StateRejected, reviewer, reason, func(*txn, *Application) error { return nil })
}

// NeedsCertificate reports whether approving a requires a newly issued
// certificate: registration, and modification with a CSR.
func (a Application) NeedsCertificate() bool {
	return a.Kind == KindNew || (a.Kind == KindModify && len(a.CSR) > 0)
}

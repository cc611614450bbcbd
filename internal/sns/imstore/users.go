package imstore

import (
	"fmt"
	"strings"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// verifyType values (S4): may this user be added as a friend.
const (
	VerifyNobody = 1 // nobody may add this user
	VerifyAnyone = 2 // anyone may ask; the user accepts or refuses
)

// MaxFindResults caps FindUsers, whatever limit the caller asks for: S3 is
// answered to any authenticated peer and must stay cheap.
const MaxFindResults = 100

// User is a local user of this IM server.
type User struct {
	UserID      string    `json:"userID"` // local part; the address is UserID@serverId
	Name        string    `json:"name"`
	PhoneNumber string    `json:"phoneNumber,omitempty"`
	Portrait    string    `json:"portrait,omitempty"`
	Remark      string    `json:"remark,omitempty"`
	VerifyType  int       `json:"verifyType"` // VerifyNobody or VerifyAnyone
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Profile is the public part of a user (the standard's userInfo), also kept
// as a snapshot of remote users in friend requests and friendships.
type Profile struct {
	UserID      string `json:"userID"`
	Name        string `json:"name,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	Portrait    string `json:"portrait,omitempty"`
	Remark      string `json:"remark,omitempty"`
}

// Profile returns the user's public profile.
func (u User) Profile() Profile {
	return Profile{UserID: u.UserID, Name: u.Name, PhoneNumber: u.PhoneNumber, Portrait: u.Portrait, Remark: u.Remark}
}

func (p Profile) check(field string) error {
	if p.UserID != "" {
		if _, err := canonicalPeer(field+".userID", p.UserID); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"name", p.Name, maxNameLen}, {"phoneNumber", p.PhoneNumber, maxPhoneLen}, {"portrait", p.Portrait, maxPortraitLen}, {"remark", p.Remark, maxRemarkLen}} {
		if err := checkText(field+"."+f.name, f.v, f.max, false); err != nil {
			return err
		}
	}
	return nil
}

// checkUser validates u, defaulting VerifyType to VerifyAnyone.
func checkUser(u *User) error {
	if err := CheckUserID(u.UserID); err != nil {
		return err
	}
	if err := checkText("name", u.Name, maxNameLen, true); err != nil {
		return err
	}
	if err := (Profile{PhoneNumber: u.PhoneNumber, Portrait: u.Portrait, Remark: u.Remark}).check("user"); err != nil {
		return err
	}
	switch u.VerifyType {
	case 0:
		u.VerifyType = VerifyAnyone
	case VerifyNobody, VerifyAnyone:
	default:
		return boltdb.Invalid("verifyType", "%d: want 1 (nobody may add) or 2 (may add)", u.VerifyType)
	}
	return nil
}

// AddUser stores a new local user; CreatedAt and UpdatedAt are set here.
// A VerifyType of 0 means VerifyAnyone. An existing userID is refused
// (*ExistsError).
func (s *Store) AddUser(u User) (User, error) {
	if err := checkUser(&u); err != nil {
		return User{}, err
	}
	err := s.update(func(t *txn) error {
		b := t.b(bucketUsers)
		if b.Get([]byte(u.UserID)) != nil {
			return &ExistsError{Kind: "user", Key: u.UserID}
		}
		u.CreatedAt, u.UpdatedAt = t.now, t.now
		return boltdb.Put(b, []byte(u.UserID), u)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// UpdateUser replaces the editable fields (name, phone, portrait, remark,
// verifyType) of an existing user and bumps UpdatedAt.
func (s *Store) UpdateUser(u User) (User, error) {
	if err := checkUser(&u); err != nil {
		return User{}, err
	}
	err := s.update(func(t *txn) error {
		old, err := t.user(u.UserID)
		if err != nil {
			return err
		}
		u.CreatedAt, u.UpdatedAt = old.CreatedAt, t.now
		return boltdb.Put(t.b(bucketUsers), []byte(u.UserID), u)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

func (t *txn) user(id string) (User, error) {
	u, ok, err := boltdb.Get[User](t.b(bucketUsers), []byte(id))
	if err != nil {
		return u, fmt.Errorf("user %s: %w", id, err)
	}
	if !ok {
		return u, &NotFoundError{Kind: "user", Key: id}
	}
	return u, nil
}

// hasUser is user for callers that need only know the user exists: the
// paths every message takes, which need not decode the record.
func (t *txn) hasUser(id string) error {
	if t.b(bucketUsers).Get([]byte(id)) == nil {
		return &NotFoundError{Kind: "user", Key: id}
	}
	return nil
}

// GetUser returns a local user, or a *NotFoundError.
func (s *Store) GetUser(userID string) (User, error) {
	var u User
	err := s.view(func(t *txn) error {
		var err error
		u, err = t.user(userID)
		return err
	})
	return u, err
}

// ListUsers returns every local user ordered by userID.
func (s *Store) ListUsers() ([]User, error) {
	var out []User
	err := s.view(func(t *txn) error {
		return t.b(bucketUsers).ForEach(func(k, v []byte) error {
			u, err := boltdb.Decode[User](v)
			if err != nil {
				return fmt.Errorf("user %s: %w", k, err)
			}
			out = append(out, u)
			return nil
		})
	})
	return out, err
}

// FindUsers answers S3: users whose name or phone number contains query,
// ignoring case, ordered by userID, at most min(limit, MaxFindResults)
// (limit <= 0 means MaxFindResults). Other fields (remark, userID) are
// deliberately not searched: the standard says name and phone only.
func (s *Store) FindUsers(query string, limit int) ([]User, error) {
	query = strings.TrimSpace(query)
	if err := checkText("queryStr", query, maxNameLen, true); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxFindResults {
		limit = MaxFindResults
	}
	q := strings.ToLower(query)
	var out []User
	err := s.view(func(t *txn) error {
		c := t.b(bucketUsers).Cursor()
		for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
			u, err := boltdb.Decode[User](v)
			if err != nil {
				return fmt.Errorf("user %s: %w", k, err)
			}
			if strings.Contains(strings.ToLower(u.Name), q) || strings.Contains(strings.ToLower(u.PhoneNumber), q) {
				out = append(out, u)
			}
		}
		return nil
	})
	return out, err
}

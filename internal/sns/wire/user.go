package wire

import (
	"encoding/json"

	"github.com/imictl/imictl/internal/lenient"
)

// The standard's yes/no enumerations (isAgree, respResult, isFriend,
// isAllow, isVisible) are 1 for yes and 2 for no; 0 means "not sent".
const (
	Yes = 1
	No  = 2
)

// verifyType values of S4.
const (
	VerifyNobody = 1 // nobody may add this user as a friend
	VerifyAnyone = 2 // the user may be added
)

// UserInfo is the user record of §6.4.1.1. UpdateTime is our addition for
// the friend timestamp the source mentions without naming: milliseconds
// since the Unix epoch of the last change, omitted when unknown (0); a
// receiver syncs a friend only when it grew.
type UserInfo struct {
	PhoneNumber string `json:"phoneNumber"`
	Remark      string `json:"remark"`
	Name        string `json:"name"`
	Portrait    string `json:"portrait"`
	UserID      string `json:"userID" lenient:"trim"`
	UpdateTime  int64  `json:"updateTime,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (u *UserInfo) UnmarshalJSON(b []byte) error { return lenient.Decode(b, u) }

// Validate requires a well-formed userID.
func (u *UserInfo) Validate() error {
	if err := requireAddress("userID", u.UserID); err != nil {
		return err
	}
	if u.UpdateTime < 0 {
		return lenient.Errorf("updateTime", "want milliseconds since 1970, got a negative number")
	}
	return nil
}

// RequireID checks an id taken from a query parameter (fileID, userID,
// ownerID, groupID, messageID): present and a well-formed address.
func RequireID(name, value string) error { return requireAddress(name, value) }

// FindUsersResponse answers S3, GET /sns/find/users?queryStr=.
type FindUsersResponse struct {
	Envelope
	Users []UserInfo `json:"users"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *FindUsersResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// MarshalJSON emits "users":[] rather than null for no users.
func (r FindUsersResponse) MarshalJSON() ([]byte, error) {
	type plain FindUsersResponse
	r.Users = lenient.NonNil(r.Users)
	return json.Marshal(plain(r))
}

// VerifyUserResponse answers S4, GET /sns/verify/users?userID=.
type VerifyUserResponse struct {
	Envelope
	VerifyType int `json:"verifyType"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *VerifyUserResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// AddFriendRequest is the body of S5, POST /sns/add/users: OwnerID asks
// UserID to be friends and sends its own UserInfo.
type AddFriendRequest struct {
	UserID   string   `json:"userID" lenient:"trim"`
	Remark   string   `json:"remark"`
	OwnerID  string   `json:"ownerID" lenient:"trim"`
	UserInfo UserInfo `json:"userInfo"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *AddFriendRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks the ids; userInfo describes ownerID (its userID may be omitted).
func (r *AddFriendRequest) Validate() error {
	if err := requireAddress("userID", r.UserID); err != nil {
		return err
	}
	if err := requireAddress("ownerID", r.OwnerID); err != nil {
		return err
	}
	return sameUser("userInfo", r.UserInfo, r.OwnerID)
}

// RespondFriendRequest is the body of S6, POST /sns/rsp/users: OwnerID
// answers the request UserID made; IsAgree is Yes or No.
type RespondFriendRequest struct {
	UserID   string   `json:"userID" lenient:"trim"`
	IsAgree  int      `json:"isAgree"`
	OwnerID  string   `json:"ownerID" lenient:"trim"`
	UserInfo UserInfo `json:"userInfo"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *RespondFriendRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks the ids and isAgree.
func (r *RespondFriendRequest) Validate() error {
	if err := requireAddress("userID", r.UserID); err != nil {
		return err
	}
	if err := oneOrTwo("isAgree", r.IsAgree, "1 (agree) or 2 (refuse)"); err != nil {
		return err
	}
	if err := requireAddress("ownerID", r.OwnerID); err != nil {
		return err
	}
	return sameUser("userInfo", r.UserInfo, r.OwnerID)
}

// DelFriendRequest is the body of S7, POST /sns/del/users.
type DelFriendRequest struct {
	UserID  string `json:"userID" lenient:"trim"`
	OwnerID string `json:"ownerID" lenient:"trim"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *DelFriendRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks the ids.
func (r *DelFriendRequest) Validate() error {
	if err := requireAddress("userID", r.UserID); err != nil {
		return err
	}
	return requireAddress("ownerID", r.OwnerID)
}

// UserResponse answers S8, GET /sns/users?userID=.
type UserResponse struct {
	Envelope
	UserInfo UserInfo `json:"userInfo"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *UserResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// IsFriendResponse answers S9, GET /sns/query/users?userID=&ownerID=.
type IsFriendResponse struct {
	Envelope
	IsFriend int `json:"isFriend"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *IsFriendResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// sameUser checks a userInfo that describes the caller: its userID may be
// left out, but if given it must be the caller's id.
func sameUser(field string, u UserInfo, id string) error {
	if u.UserID != "" && u.UserID != id {
		return lenient.Errorf(field+".userID", quote(u.UserID)+" is not the caller "+quote(id))
	}
	if u.UpdateTime < 0 {
		return lenient.Errorf(field+".updateTime", "want milliseconds since 1970, got a negative number")
	}
	return nil
}

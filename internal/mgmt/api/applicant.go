package api

import "github.com/imictl/imictl/internal/lenient"

// The applicant calls are ours: the standard requires registration,
// modification and cancellation to be applied for and reviewed (§6.1) but
// defines no interface for them. Each returns a requestId to poll with
// StatusRequest. Field names follow table 1; "productType" (the M1
// spelling) is accepted for "serverType".

// SubmitRequest applies for registration (§6.1.1).
type SubmitRequest struct {
	ServerID      string `json:"serverId" lenient:"trim"`
	ServerName    string `json:"serverName"`
	ServerAddress string `json:"serverAddress"`
	ContactName   string `json:"contactName"`
	ContactEmail  string `json:"contactEmail"`
	ContactMobile string `json:"contactMobile"`
	ServerType    string `json:"serverType,omitempty" alias:"productType"`
	Area          string `json:"area,omitempty"`
	OwnerID       string `json:"ownerId"`
	CSR           string `json:"csr"` // PEM PKCS#10, SM2-with-SM3, proves the key
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *SubmitRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate checks every field of table 1 plus ownerId and csr.
func (r *SubmitRequest) Validate() error {
	checks := []error{
		checkServerID("serverId", r.ServerID),
		checkText("serverName", r.ServerName),
		checkServerAddress("serverAddress", r.ServerAddress),
		checkText("contactName", r.ContactName),
		checkEmail("contactEmail", r.ContactEmail),
		checkMobile("contactMobile", r.ContactMobile),
		checkOptionalText("serverType", r.ServerType),
		checkOptionalText("area", r.Area),
		checkText("ownerId", r.OwnerID),
		checkCSR("csr", r.CSR),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

// ServerChanges lists the fields a ModifyRequest changes; nil means
// unchanged. ServerID exists only so that an attempt to change it is
// refused by name rather than ignored (§6.1.2: the serverId never changes).
type ServerChanges struct {
	ServerID      *string `json:"serverId,omitempty" lenient:"trim"`
	ServerName    *string `json:"serverName,omitempty"`
	ServerAddress *string `json:"serverAddress,omitempty"`
	ContactName   *string `json:"contactName,omitempty"`
	ContactEmail  *string `json:"contactEmail,omitempty"`
	ContactMobile *string `json:"contactMobile,omitempty"`
	ServerType    *string `json:"serverType,omitempty" alias:"productType"`
	Area          *string `json:"area,omitempty"`
	OwnerID       *string `json:"ownerId,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (c *ServerChanges) UnmarshalJSON(b []byte) error { return lenient.Decode(b, c) }

// Empty reports whether no field is to change.
func (c *ServerChanges) Empty() bool {
	return c.ServerID == nil && c.ServerName == nil && c.ServerAddress == nil &&
		c.ContactName == nil && c.ContactEmail == nil && c.ContactMobile == nil &&
		c.ServerType == nil && c.Area == nil && c.OwnerID == nil
}

// Validate checks each given field as SubmitRequest does; serverType and
// area may be set to "" to clear them, the others may not.
func (c *ServerChanges) Validate() error {
	if c.ServerID != nil {
		return lenient.Errorf("serverId", "can't be changed: register a new server instead")
	}
	type check struct {
		v  *string
		fn func() error
	}
	for _, k := range []check{
		{c.ServerName, func() error { return checkText("serverName", *c.ServerName) }},
		{c.ServerAddress, func() error { return checkServerAddress("serverAddress", *c.ServerAddress) }},
		{c.ContactName, func() error { return checkText("contactName", *c.ContactName) }},
		{c.ContactEmail, func() error { return checkEmail("contactEmail", *c.ContactEmail) }},
		{c.ContactMobile, func() error { return checkMobile("contactMobile", *c.ContactMobile) }},
		{c.ServerType, func() error { return checkOptionalText("serverType", *c.ServerType) }},
		{c.Area, func() error { return checkOptionalText("area", *c.Area) }},
		{c.OwnerID, func() error { return checkText("ownerId", *c.OwnerID) }},
	} {
		if k.v == nil {
			continue
		}
		if err := k.fn(); err != nil {
			return err
		}
	}
	return nil
}

// ModifyRequest applies to change a registration (§6.1.2); CSR, when
// given, asks for a certificate for a new key.
type ModifyRequest struct {
	ServerID string        `json:"serverId" lenient:"trim"`
	Changes  ServerChanges `json:"changes"`
	CSR      string        `json:"csr,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *ModifyRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate requires a serverId and at least one change or a CSR.
func (r *ModifyRequest) Validate() error {
	if err := checkServerID("serverId", r.ServerID); err != nil {
		return err
	}
	if r.Changes.Empty() && r.CSR == "" {
		return lenient.Errorf("changes", "required: name at least one field to change, or send a csr")
	}
	if err := lenient.Within("changes", r.Changes.Validate()); err != nil {
		return err
	}
	if r.CSR != "" {
		return checkCSR("csr", r.CSR)
	}
	return nil
}

// CancelRequest applies to cancel a registration (§6.1.3); once approved
// the serverId is never usable again.
type CancelRequest struct {
	ServerID string `json:"serverId" lenient:"trim"`
	Reason   string `json:"reason"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *CancelRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate requires a serverId and a reason for the reviewer.
func (r *CancelRequest) Validate() error {
	if err := checkServerID("serverId", r.ServerID); err != nil {
		return err
	}
	return checkText("reason", r.Reason)
}

// RequestIDResponse answers a submit, modify or cancel application.
type RequestIDResponse struct {
	Envelope
	RequestID string `json:"requestId" lenient:"trim"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *RequestIDResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// StatusRequest asks where an application stands.
type StatusRequest struct {
	RequestID string `json:"requestId" lenient:"trim"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *StatusRequest) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

// Validate requires a requestId.
func (r *StatusRequest) Validate() error { return checkText("requestId", r.RequestID) }

// Application kinds and review states.
const (
	KindSubmit = "submit"
	KindModify = "modify"
	KindCancel = "cancel"

	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestRejected = "rejected"
)

// StatusResponse answers StatusRequest. StatusReason is the reviewer's
// reason (for a rejection above all); it is not named "reason" because the
// envelope's reason is the refusal of this call itself. ServerCert (PEM) is
// set once a submit or a modify with a CSR is approved.
type StatusResponse struct {
	Envelope
	RequestID    string `json:"requestId" lenient:"trim"`
	ServerID     string `json:"serverId" lenient:"trim"`
	Kind         string `json:"kind"`
	Status       string `json:"status"`
	StatusReason string `json:"statusReason,omitempty"`
	ServerCert   string `json:"serverCert,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (r *StatusResponse) UnmarshalJSON(b []byte) error { return lenient.Decode(b, r) }

package csr

import (
	"errors"
	"strings"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/pki"
)

// Info describes a certificate signing request. Its JSON form is the
// scripting contract of `csr inspect -o json` and `csr create -o json`.
type Info struct {
	File               string           `json:"file"`
	ServerID           string           `json:"serverId"`        // empty when the request binds none
	Admin              string           `json:"admin,omitempty"` // the administrator an administrator's request names
	Subject            string           `json:"subject"`         // RFC 4514, e.g. CN=srv1,O=VRV,C=CN
	DNSNames           []string         `json:"dnsNames"`
	URIs               []string         `json:"uris"`
	SignatureAlgorithm string           `json:"signatureAlgorithm"`
	SignatureValid     bool             `json:"signatureValid"`
	Problems           []string         `json:"problems"` // why the request would be refused; empty when fine
	PublicKey          key.Fingerprints `json:"publicKeyFingerprints"`
}

// describe checks a request's self-signature and serverId binding
// separately, so that both problems show at once.
func describe(file string, csr *smx509.CertificateRequest) Info {
	info := Info{
		File:               file,
		Subject:            csr.Subject.String(),
		DNSNames:           append([]string{}, csr.DNSNames...),
		URIs:               []string{},
		SignatureAlgorithm: csr.SignatureAlgorithm.String(),
		Problems:           []string{},
		PublicKey:          key.FingerprintsOf(csr.RawSubjectPublicKeyInfo),
	}
	for _, u := range csr.URIs {
		info.URIs = append(info.URIs, u.String())
	}
	if err := pki.CheckCSRSignature(csr); err != nil {
		info.Problems = append(info.Problems, err.Error())
	} else {
		info.SignatureValid = true
	}
	if name, ok := pki.AdminNameFromCSR(csr); ok {
		info.Admin = name // an administrator's request binds no serverId
		return info
	}
	id, err := pki.ServerIDFromCSR(csr)
	if err != nil {
		info.Problems = append(info.Problems, err.Error())
	}
	info.ServerID = id
	return info
}

// err is the failure a command returns after printing a request with
// problems: exit 4, reason bad_signature if the signature fails (whatever
// else does), else wrong_server_id for a missing or broken binding.
func (i Info) err() error {
	if len(i.Problems) == 0 {
		return nil
	}
	reason := pki.ReasonWrongServerID
	if !i.SignatureValid {
		reason = pki.ReasonBadSignature
	}
	return cmdutil.AuthError(string(reason), errors.New(strings.Join(i.Problems, "\n")))
}

func (i Info) view() output.View {
	signature := i.SignatureAlgorithm + ", valid"
	if !i.SignatureValid {
		signature = i.SignatureAlgorithm + ", INVALID"
	}
	return output.View{Data: i, Details: []output.Field{
		{Key: "File", Value: i.File},
		holderField(i),
		{Key: "Subject", Value: i.Subject},
		{Key: "DNS names", Value: orNone(strings.Join(i.DNSNames, ", "))},
		{Key: "URIs", Value: orNone(strings.Join(i.URIs, ", "))},
		{Key: "Signature", Value: signature},
		{Key: "Public key SHA-256", Value: i.PublicKey.SHA256},
		{Key: "Public key SM3", Value: i.PublicKey.SM3},
	}}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func holderField(i Info) output.Field {
	if i.Admin != "" {
		return output.Field{Key: "Administrator", Value: i.Admin}
	}
	return output.Field{Key: "Server id", Value: orNone(i.ServerID)}
}

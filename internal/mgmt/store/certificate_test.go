package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func serials(cs []Certificate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Serial)
	}
	return out
}

func TestCertificatesListRevokeExport(t *testing.T) {
	s, c := openTest(t)
	alpha := register(t, s, "alpha")
	beta := register(t, s, "beta")
	short := cert("alpha")
	short.NotAfter = short.NotBefore.Add(time.Hour) // expired at the test clock
	if _, err := s.RecordCertificate("ca", *short); err != nil {
		t.Fatal(err)
	}
	revoked, err := s.RevokeCertificate("admin", beta.CertSerial, reasonKeyCompromise)
	if err != nil || revoked.Status != CertRevoked || !revoked.RevokedAt.Equal(c.Now()) || revoked.RevocationReason != reasonKeyCompromise {
		t.Fatalf("revoke: %+v, %v", revoked, err)
	}
	tests := []struct {
		name string
		f    CertFilter
		want []string
	}{
		{"all", CertFilter{}, []string{alpha.CertSerial, beta.CertSerial, short.Serial}},
		{"by server", CertFilter{ServerID: "alpha"}, []string{alpha.CertSerial, short.Serial}},
		{"valid", CertFilter{Status: CertValid}, []string{alpha.CertSerial}},
		{"revoked", CertFilter{Status: CertRevoked}, []string{beta.CertSerial}},
		{"expired", CertFilter{Status: CertExpired}, []string{short.Serial}},
		{"expiring", CertFilter{ExpiringBefore: c.Now().AddDate(0, 1, 0)}, []string{short.Serial}},
		{"unknown server", CertFilter{ServerID: "nobody"}, nil},
	}
	for _, tt := range tests {
		got, err := s.ListCertificates(tt.f)
		if err != nil {
			t.Fatal(err)
		}
		g := serials(got)
		slices.Sort(g)
		slices.Sort(tt.want)
		if !slices.Equal(g, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, g, tt.want)
		}
	}
	got, err := s.GetCertificate(alpha.CertSerial)
	if err != nil || string(got.DER) != "der of alpha" {
		t.Fatalf("export: %+v, %v", got, err)
	}
	revs, _ := s.Revocations()
	if len(revs) != 1 || revs[0] != (Revocation{Serial: beta.CertSerial, ServerID: "beta", RevokedAt: c.Now(), Reason: reasonKeyCompromise, NotAfter: revoked.NotAfter}) {
		t.Fatalf("revocations %+v", revs)
	}
}

func TestCertificateRefused(t *testing.T) {
	s, _ := openTest(t)
	alpha := register(t, s, "alpha")
	s.RevokeCertificate("admin", alpha.CertSerial, reasonUnspecified)
	mutate := func(f func(*Certificate)) Certificate {
		c := cert("alpha")
		f(c)
		return *c
	}
	tests := []struct {
		name    string
		do      func() error
		want    error
		message string
	}{
		{"revoke unknown", func() error { _, err := s.RevokeCertificate("a", "ff", 0); return err }, ErrNotFound, `no certificate "ff"`},
		{"revoke twice", func() error { _, err := s.RevokeCertificate("a", alpha.CertSerial, 1); return err }, ErrAlreadyRevoked, "was revoked at"},
		{"bad reason", func() error { _, err := s.RevokeCertificate("a", alpha.CertSerial, 7); return err }, ErrInvalid, "7 is not an RFC 5280 CRLReason"},
		{"revoke without actor", func() error { _, err := s.RevokeCertificate("", alpha.CertSerial, 0); return err }, ErrInvalid, "invalid actor"},
		{"record duplicate", func() error {
			_, err := s.RecordCertificate("ca", mutate(func(c *Certificate) { c.Serial = alpha.CertSerial }))
			return err
		}, ErrCertificateExists, alpha.CertSerial},
		{"record without actor", func() error { _, err := s.RecordCertificate("", *cert("alpha")); return err }, ErrInvalid, "invalid actor"},
		{"record uppercase serial", func() error {
			_, err := s.RecordCertificate("ca", mutate(func(c *Certificate) { c.Serial = "ABC" }))
			return err
		}, ErrInvalid, "lowercase hex"},
		{"record empty DER", func() error {
			_, err := s.RecordCertificate("ca", mutate(func(c *Certificate) { c.DER = nil }))
			return err
		}, ErrInvalid, "certificate DER"},
		{"record bad serverId", func() error {
			_, err := s.RecordCertificate("ca", mutate(func(c *Certificate) { c.ServerID = "a b" }))
			return err
		}, ErrInvalid, "certificate serverId"},
		{"record inverted validity", func() error {
			_, err := s.RecordCertificate("ca", mutate(func(c *Certificate) { c.NotAfter = c.NotBefore }))
			return err
		}, ErrInvalid, "not after notBefore"},
		{"server certificate of unknown server", func() error { _, err := s.ServerCertificate("nobody"); return err }, ErrNotFound, "nobody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			err := tt.do()
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("got %v, want %v containing %q", err, tt.want, tt.message)
			}
			assertUnchanged(t, before, dump(t, s))
		})
	}
}

func TestCRL(t *testing.T) {
	s, c := openTest(t)
	if _, err := s.CurrentCRL(); !errors.Is(err, ErrNotFound) || err.Error() != "no CRL stored yet" {
		t.Fatalf("before the first: %v", err)
	}
	first := CRL{Number: 1, DER: []byte("crl 1"), ThisUpdate: c.Now(), NextUpdate: c.Now().Add(24 * time.Hour)}
	if err := s.PutCRL("ca", first); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		actor   string
		crl     CRL
		want    error
		message string
	}{
		{"ca", CRL{Number: 1, DER: []byte("again")}, ErrStaleCRL, "number 1, current 1"},
		{"ca", CRL{Number: 0, DER: []byte("zero")}, ErrInvalid, "numbers start at 1"},
		{"ca", CRL{Number: 2}, ErrInvalid, "CRL DER"},
		{"", CRL{Number: 2, DER: []byte("crl 2")}, ErrInvalid, "invalid actor"},
	} {
		before := dump(t, s)
		if err := s.PutCRL(bad.actor, bad.crl); !errors.Is(err, bad.want) || !strings.Contains(err.Error(), bad.message) {
			t.Fatalf("%+v: %v", bad.crl, err)
		}
		assertUnchanged(t, before, dump(t, s))
	}
	second := CRL{Number: 2, DER: []byte("crl 2"), ThisUpdate: c.Now(), NextUpdate: c.Now().Add(24 * time.Hour)}
	if err := s.PutCRL("ca", second); err != nil {
		t.Fatal(err)
	}
	got, err := s.CurrentCRL()
	if err != nil || got.Number != 2 || string(got.DER) != "crl 2" || !got.NextUpdate.Equal(second.NextUpdate) {
		t.Fatalf("current %+v, %v", got, err)
	}
}

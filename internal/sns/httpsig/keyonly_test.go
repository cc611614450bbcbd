package httpsig

import (
	"crypto/ecdsa"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/pki"
)

func TestVerifyRequestWithKey(t *testing.T) {
	f := newFixture(t)
	v := mustVerifier(t, f.options("server-b"))
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	applicant, err := NewKeySigner(key, "newcomer")
	if err != nil {
		t.Fatal(err)
	}
	pub, otherPub := &key.PublicKey, &other.PublicKey

	// The directory does not know the applicant: the normal path refuses it.
	if _, _, e := v.verifyRequest(signedChat(t, applicant, "server-b")); e == nil || e.Reason != ReasonUnknownServer {
		t.Fatalf("through the directory: %v", e)
	}

	tests := []struct {
		name string
		req  func() ([]byte, *http.Request)
		pubs []*ecdsa.PublicKey
		want Reason
	}{
		{"unsigned", func() ([]byte, *http.Request) { return chatBody, newRequest(t, "POST", chatURL, chatBody) }, []*ecdsa.PublicKey{pub}, ReasonSignatureMissing},
		{"another destination", func() ([]byte, *http.Request) { return chatBody, signedChat(t, applicant, "server-c") }, []*ecdsa.PublicKey{pub}, ReasonWrongDestination},
		{"stale", func() ([]byte, *http.Request) {
			return chatBody, signedChat(t, withClock(applicant, -time.Hour), "server-b")
		}, []*ecdsa.PublicKey{pub}, ReasonClockSkew},
		{"another key", func() ([]byte, *http.Request) { return chatBody, signedChat(t, applicant, "server-b") }, []*ecdsa.PublicKey{otherPub}, ReasonSignatureInvalid},
		{"no key", func() ([]byte, *http.Request) { return chatBody, signedChat(t, applicant, "server-b") }, nil, ReasonSignatureInvalid},
		{"altered body", func() ([]byte, *http.Request) { return []byte(`{}`), signedChat(t, applicant, "server-b") }, []*ecdsa.PublicKey{pub}, ReasonDigestMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, r := tt.req()
			_, err := v.VerifyRequestWithKey(r, body, tt.pubs...)
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Reason != tt.want {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
		})
	}

	// Any of the keys given will do; the nonce is then spent.
	req := signedChat(t, applicant, "server-b")
	origin, err := v.VerifyRequestWithKey(req, chatBody, otherPub, pub)
	if err != nil || origin != "newcomer" {
		t.Fatalf("valid: %q, %v", origin, err)
	}
	var ae *AuthError
	if _, err := v.VerifyRequestWithKey(req, chatBody, pub); !errors.As(err, &ae) || ae.Reason != ReasonReplay {
		t.Fatalf("replayed: %v", err)
	}
	if _, err := NewKeySigner(key, "bad id"); err == nil {
		t.Fatal("a bad serverId is accepted")
	}
	if _, err := NewKeySigner(nil, "newcomer"); err == nil {
		t.Fatal("a nil key is accepted")
	}
}

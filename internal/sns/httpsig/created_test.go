package httpsig

import (
	"net/http"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/pki"
)

func TestSignedAt(t *testing.T) {
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewKeySigner(key, "alpha-im")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Unix(1_800_000_000, 0)
	s.SetClock(func() time.Time { return at })
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/sns/users?userID=a%40b", nil)
	if err := s.SignRequest(req, "beta-im"); err != nil {
		t.Fatal(err)
	}
	got, err := SignedAt(req.Header)
	if err != nil || !got.Equal(at) {
		t.Errorf("SignedAt = %v, %v; want %v", got, err, at)
	}
	if _, err := SignedAt(http.Header{}); err == nil {
		t.Error("SignedAt of an unsigned message: no error")
	}
}

package mgmt

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

func TestOpenLocal(t *testing.T) {
	old := pki.KDFIterations
	pki.KDFIterations = 1000
	t.Cleanup(func() { pki.KDFIterations = old })
	dataDir := t.TempDir()
	if _, err := ca.Init(CADir(dataDir), ca.InitOptions{CommonName: "root", Password: []byte("s3cret"), Now: time.Now()}); err != nil {
		t.Fatal(err)
	}

	_, _, err := OpenLocal(dataDir, LocalOptions{})
	if !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), filepath.Join(dataDir, "mgmt", "mgmt.db")) {
		t.Fatalf("missing database: %v", err)
	}

	var asked int
	passwords := []string{"wrong", "s3cret"}
	svc, closer, err := OpenLocal(dataDir, LocalOptions{Create: true, CAPassword: func() ([]byte, error) {
		asked++
		return []byte(passwords[asked-1]), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()

	// A second open of the locked file fails within the lock timeout and
	// says what to do.
	if _, _, err := OpenLocal(dataDir, LocalOptions{}); !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "admin API") {
		t.Fatalf("locked: %v", err)
	}

	a, err := svc.Submit(bg, submitReq(t, newKey(t), "alpha"))
	if err != nil || asked != 0 {
		t.Fatalf("submit asked for the password %d times: %v", asked, err)
	}
	if _, err := svc.Approve(bg, a.ID, "admin:x", ""); !errors.Is(err, pki.ErrBadPassword) || !errors.Is(err, ErrCAUnavailable) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := svc.Approve(bg, a.ID, "admin:x", ""); err != nil || asked != 2 {
		t.Fatalf("right password: %v (asked %d times)", err, asked)
	}
}

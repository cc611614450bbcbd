package imserver

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
)

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// sendFile uploads content as user and sends it to to.
func sendFile(t *testing.T, from *testServer, user, to, kind, name string, content []byte) imstore.SentMessage {
	t.Helper()
	meta, err := from.Upload(user, name, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	m, err := from.Send(SendRequest{From: user, To: to, MessageType: kind, FileID: meta.FileID, Duration: 7})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readFile(t *testing.T, ts *testServer, user, messageID string) (imstore.FileMeta, []byte, error) {
	t.Helper()
	meta, f, err := ts.OpenFile(context.Background(), user, messageID)
	if err != nil {
		return meta, nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	return meta, b, err
}

func TestFileAcross(t *testing.T) {
	w, alpha, beta := pair(t)
	content := randomBytes(t, 300<<10)
	sum := md5.Sum(content)
	m := sendFile(t, alpha, "alice", "bob@beta-im", "file", "report.pdf", content)
	eventually(t, "file message at bob", func() bool { return len(inbox(t, beta, "bob")) == 1 })
	in := inbox(t, beta, "bob")[0]
	wantContent := `{"size":"307200","name":"report.pdf","fileID":"` + m.FileID + `","md5":"` + hex.EncodeToString(sum[:]) + `"}`
	if in.FileID != m.FileID || string(in.Content) != wantContent {
		t.Errorf("message: %+v %s\nwant content %s", in, in.Content, wantContent)
	}
	if _, err := beta.st.GetFile(m.FileID); !errors.Is(err, imstore.ErrNotFound) {
		t.Errorf("downloaded before bob asked: %v", err)
	}
	meta, got, err := readFile(t, beta, "bob", m.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) || meta.MD5 != hex.EncodeToString(sum[:]) || meta.Local || meta.Name != "report.pdf" {
		t.Errorf("downloaded %d bytes, meta %+v", len(got), meta)
	}
	// Cached: served with the origin down.
	alpha.stopOnce()
	if _, got, err = readFile(t, beta, "bob", m.MessageID); err != nil || !bytes.Equal(got, content) {
		t.Errorf("from the cache: %d bytes, %v", len(got), err)
	}
	// The sender reads its own file too.
	alpha.start(t, w)
	if _, got, err = readFile(t, alpha, "alice", m.MessageID); err != nil || !bytes.Equal(got, content) {
		t.Errorf("the sender's copy: %d bytes, %v", len(got), err)
	}
	if _, _, err := readFile(t, alpha, "bob", m.MessageID); !errors.Is(err, imstore.ErrNotFound) {
		t.Errorf("another user's message: %v", err)
	}
}

// A message announcing other bytes than the origin serves, or more than
// this server accepts, stores nothing.
func TestFileChecks(t *testing.T) {
	_, alpha, beta := pair(t)
	content := []byte("the real content")
	m := sendFile(t, alpha, "alice", "bob@beta-im", "image", "a.png", content)
	eventually(t, "image at bob", func() bool { return len(inbox(t, beta, "bob")) == 1 })
	for _, tc := range []struct {
		name, content string
		kind          error
	}{
		{"wrong md5", `{"size":"16","name":"a.png","fileID":"` + m.FileID + `","md5":"00000000000000000000000000000000"}`, imstore.ErrMismatch},
		{"wrong size", `{"size":"15","name":"a.png","fileID":"` + m.FileID + `","md5":"00000000000000000000000000000000"}`, imstore.ErrMismatch},
		{"no size", `{"name":"a.png","fileID":"` + m.FileID + `"}`, imstore.ErrInvalid},
		{"beyond the limit", `{"size":"999999999999","fileID":"` + m.FileID + `"}`, imstore.ErrTooLarge},
	} {
		id := "x" + strings.ReplaceAll(tc.name, " ", "") + "@alpha-im"
		msg := imstore.Message{MessageID: id, From: "alice@alpha-im", To: "bob@beta-im", Type: 1, MessageType: "image", Content: []byte(tc.content), FileID: m.FileID}
		if _, _, err := beta.st.DeliverLocal("bob", msg); err != nil {
			t.Fatal(err)
		}
		if _, _, err := readFile(t, beta, "bob", id); !errors.Is(err, tc.kind) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.kind)
		}
		if _, err := beta.st.GetFile(m.FileID); !errors.Is(err, imstore.ErrNotFound) {
			t.Errorf("%s: stored anyway (%v)", tc.name, err)
		}
	}
	if _, got, err := readFile(t, beta, "bob", m.MessageID); err != nil || string(got) != string(content) {
		t.Errorf("the genuine message: %q %v", got, err)
	}
	if _, _, err := readFile(t, beta, "bob", inbox(t, beta, "bob")[0].MessageID); err != nil {
		t.Error(err)
	}
	text := sendText(t, alpha, "alice", "bob@beta-im", "no file here")
	eventually(t, "text at bob", func() bool { return len(inbox(t, beta, "bob")) == 6 })
	if _, _, err := readFile(t, beta, "bob", text.MessageID); !errors.Is(err, imstore.ErrInvalid) {
		t.Errorf("a text message's file: %v", err)
	}
}

func TestUploadLimit(t *testing.T) {
	w := newWorld(t)
	alpha := w.server(t, "alpha-im", func(c *Config) { c.MaxFileSize = 1000 })
	alpha.addUser(t, imstore.User{UserID: "alice", Name: "Alice"})
	if _, err := alpha.Upload("alice", "big", bytes.NewReader(make([]byte, 1001))); !errors.Is(err, imstore.ErrTooLarge) {
		t.Errorf("oversize upload: %v", err)
	}
	if _, err := alpha.Upload("nobody", "x", strings.NewReader("x")); !errors.Is(err, imstore.ErrNotFound) {
		t.Errorf("upload for an unknown user: %v", err)
	}
	if _, err := alpha.Upload("alice", "fits", bytes.NewReader(make([]byte, 1000))); err != nil {
		t.Error(err)
	}
}

// S2 serves a file only to the servers its messages went to.
func TestDownloadRefusals(t *testing.T) {
	w, alpha, beta := pair(t)
	gamma := w.caller(t, "gamma-im", httpsig.StatusNormal, true)
	content := []byte("for bob only")
	m := sendFile(t, alpha, "alice", "bob@beta-im", "file", "secret.txt", content)
	eventually(t, "delivered", func() bool { return len(inbox(t, beta, "bob")) == 1 })
	unsent, err := alpha.Upload("alice", "draft", strings.NewReader("never sent"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var buf bytes.Buffer
	if d, err := gamma.client.Download(ctx, alpha.peer(), m.FileID, &buf, 0); err == nil {
		t.Errorf("gamma downloaded %+v", d)
	} else {
		apiErr(t, "no message to gamma", err, 403, ReasonNotPermitted)
	}
	for _, tc := range []struct {
		name, fileID string
		status       int
		reason       string
	}{
		{"never sent", unsent.FileID, 403, ReasonNotPermitted},
		{"unknown", "0123@alpha-im", 403, ReasonNotPermitted},
		{"of another server", "f1@beta-im", 400, ReasonNotLocal},
		{"path trick", "../../etc/passwd@alpha-im", 400, ReasonBadRequest},
		{"slash", "a/b@alpha-im", 400, ReasonBadRequest},
		{"neither form", "f1", 400, ReasonBadRequest},
	} {
		_, err := gamma.client.Call(ctx, alpha.peer(), http.MethodGet, "download/file?fileID="+url.QueryEscape(tc.fileID), nil)
		apiErr(t, tc.name, err, tc.status, tc.reason)
	}
	if buf.Len() != 0 {
		t.Errorf("refusals wrote %d bytes", buf.Len())
	}
}

package client_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/client/clienttest"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// fileServer serves content as the file f1@beta-im.
func fileServer(content []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fileID") != "f1@beta-im" {
			clienttest.WriteJSON(w, http.StatusNotFound, `{"code":1,"error":"no such file","reason":"file_not_found"}`)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(content)
	})
}

// chunkWriter records the largest single write: a client that held the
// whole file would hand it over in one.
type chunkWriter struct {
	bytes.Buffer
	largest int
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	c.largest = max(c.largest, len(p))
	return c.Buffer.Write(p)
}

func TestDownloadStreams(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789abcdef"), 256<<10) // 4 MiB
	w := newWorld(t, fileServer(content))
	var out chunkWriter
	d, err := w.client.Download(context.Background(), w.betaPeer(), "f1@beta-im", &out, int64(len(content)))
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(content)
	if d.Size != int64(len(content)) || d.MD5 != hex.EncodeToString(sum[:]) || d.Peer != "beta-im" || d.ContentType != "application/octet-stream" {
		t.Fatalf("got %+v", d)
	}
	if !bytes.Equal(out.Bytes(), content) {
		t.Fatal("content differs")
	}
	if out.largest >= len(content)/4 {
		t.Errorf("largest write %d bytes: the file was not streamed", out.largest)
	}
	if r := w.peer.Requests()[0]; r.Method != "GET" || r.Path != "/sns/download/file" || r.RawQuery != "fileID=f1%40beta-im" {
		t.Errorf("request %s %s?%s", r.Method, r.Path, r.RawQuery)
	}
}

func TestDownloadRefusals(t *testing.T) {
	content := []byte("hello, file")
	tests := []struct {
		name   string
		fileID string
		max    int64
		tamper clienttest.Tamper
		check  func(t *testing.T, err error)
	}{
		{"too large", "f1@beta-im", 5, nil, func(t *testing.T, err error) {
			if !errors.Is(err, client.ErrTooLarge) {
				t.Fatalf("got %v", err)
			}
		}},
		{"altered", "f1@beta-im", 0, func(h http.Header, s int, b []byte) (int, []byte) { return s, []byte("hellO, file") },
			func(t *testing.T, err error) {
				if ae := asAuth(t, err); ae.Reason != httpsig.ReasonDigestMismatch || ae.Side != httpsig.SideResponse {
					t.Fatalf("got %+v", ae)
				}
			}},
		{"cut short", "f1@beta-im", 0, func(h http.Header, s int, b []byte) (int, []byte) { return s, b[:4] },
			func(t *testing.T, err error) {
				if ae := asAuth(t, err); ae.Reason != httpsig.ReasonDigestMismatch {
					t.Fatalf("got %+v", ae)
				}
			}},
		{"no such file", "f2@beta-im", 0, nil, func(t *testing.T, err error) {
			var ae *client.APIError
			if !errors.As(err, &ae) || ae.Reason != "file_not_found" || ae.Status != 404 {
				t.Fatalf("got %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, fileServer(content))
			w.peer.SetTamper(tt.tamper)
			var out bytes.Buffer
			d, err := w.client.Download(context.Background(), w.betaPeer(), tt.fileID, &out, tt.max)
			if err == nil {
				t.Fatalf("downloaded %+v", d)
			}
			tt.check(t, err)
			if d.MD5 != "" {
				t.Errorf("an md5 for a failed download: %+v", d)
			}
		})
	}
}

func TestDownloadEnvelopeWithoutFile(t *testing.T) {
	w := newWorld(t, answer(200, `{"code":0,"error":""}`))
	_, err := w.client.Download(context.Background(), w.betaPeer(), "f1@beta-im", &bytes.Buffer{}, 0)
	if err == nil || err.Error() != "beta-im answered the download of f1@beta-im with an envelope but no file (code 0): a file must not be sent as application/json" {
		t.Fatalf("got %v", err)
	}
}

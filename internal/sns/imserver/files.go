package imserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/emmansun/gmsm/sm3"
	"golang.org/x/sync/singleflight"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// files is the file side of the server (figure 6): blobs on disk, the SM3
// digests that S2 answers are signed over, and the downloads in progress.
type files struct {
	blobs *imstore.BlobStore

	mu      sync.Mutex
	digests map[string][]byte // blob hash -> SM3 of its content

	downloads singleflight.Group // by fileID: one download serves all who wait
}

// maxDigests bounds the SM3 cache; a forgotten digest is computed again.
const maxDigests = 4096

func (f *files) remember(hash string, digest []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.digests) >= maxDigests {
		clear(f.digests)
	}
	f.digests[hash] = digest
}

// digest returns the SM3 of a blob: remembered since its upload, or read
// once more (after a restart).
func (f *files) digest(hash string) ([]byte, error) {
	f.mu.Lock()
	d, ok := f.digests[hash]
	f.mu.Unlock()
	if ok {
		return d, nil
	}
	r, err := f.blobs.Open(hash)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h := sm3.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, fmt.Errorf("reading file content %s: %w", hash, err)
	}
	d = h.Sum(nil)
	f.remember(hash, d)
	return d, nil
}

// Upload stores a file of a local user, streamed from r, under a new
// fileID "<random>@serverId", and returns its record: what a message
// carrying it announces (size, md5, name).
func (s *Server) Upload(user, name string, r io.Reader) (imstore.FileMeta, error) {
	if _, err := s.st.GetUser(user); err != nil {
		return imstore.FileMeta{}, err
	}
	h := sm3.New()
	blob, err := s.files.blobs.Put(io.TeeReader(r, h), s.cfg.MaxFileSize)
	if err != nil {
		return imstore.FileMeta{}, err
	}
	id, err := imstore.NewID(s.self)
	if err != nil {
		return imstore.FileMeta{}, err
	}
	meta, err := s.st.PutFile(imstore.FileMeta{FileID: id, Name: name, Size: blob.Size, MD5: blob.MD5, ContentHash: blob.Hash, Local: true})
	if err != nil {
		return meta, err
	}
	s.files.remember(blob.Hash, h.Sum(nil))
	return meta, nil
}

// handleDownload is S2, GET /sns/download/file?fileID=: a file of this
// server, served only to a server one of whose users was sent a message
// carrying it; anyone else is refused, whether or not the file exists.
// The body is streamed, signed over the file's SM3 digest.
func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) {
	meta, err := s.downloadable(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	digest, err := s.files.digest(meta.ContentHash)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	content, err := s.files.blobs.Open(meta.ContentHash)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer content.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	if err := httpsig.StreamResponse(w, http.StatusOK, digest, meta.Size, content); err != nil {
		s.log.Warn("sending a file was cut short", "fileID", meta.FileID, "err", err)
	}
}

// downloadable checks an S2 request and returns the file it may have.
func (s *Server) downloadable(r *http.Request) (imstore.FileMeta, error) {
	id, err := queryID(r, "fileID")
	if err != nil {
		return imstore.FileMeta{}, err
	}
	a, _ := wire.ParseAddress(id)
	if !s.isSelf(a) {
		return imstore.FileMeta{}, refuse(http.StatusBadRequest, ReasonNotLocal, "fileID %s was made by %s, not by this server (%s): download it from there", id, a.Domain(), s.self)
	}
	fileID := a.Local + "@" + s.self
	origin, _ := httpsig.OriginFrom(r.Context())
	if !s.mayDownload(r.Context(), fileID, origin) {
		return imstore.FileMeta{}, refuse(http.StatusForbidden, ReasonNotPermitted, "no message to a user of %s carried file %s: only its recipients' servers may download it", origin, id)
	}
	meta, err := s.st.GetFile(fileID)
	if err == nil && !meta.Local {
		err = &imstore.NotFoundError{Kind: "file", Key: fileID}
	}
	if errors.Is(err, imstore.ErrNotFound) {
		return meta, refuse(http.StatusNotFound, ReasonNotFound, "file %s is no longer here", id)
	}
	return meta, err
}

// mayDownload: was a message carrying fileID sent to origin, named by its
// serverId or by the host:port of its registered address.
func (s *Server) mayDownload(ctx context.Context, fileID, origin string) bool {
	if ok, err := s.st.MayDownload(fileID, origin); ok || err != nil {
		return ok
	}
	info, err := s.resolver.Resolve(ctx, origin)
	if err != nil || info.Address == "" {
		return false
	}
	hp, err := hostPort(info.Address)
	if err != nil {
		return false
	}
	ok, _ := s.st.MayDownload(fileID, hp)
	return ok
}

// mediaContent is what image, voice and file contents share.
type mediaContent struct {
	Size string `json:"size"`
	Name string `json:"name"`
	MD5  string `json:"md5"`
}

// OpenFile opens the file carried by a message of a local user: one in the
// user's inbox or one the user sent. A file of another server is
// downloaded from its origin with S2 the first time (figure 6, steps 6–8),
// checked against the size and md5 its message announced, and cached;
// concurrent requests share one download. The caller closes the file.
func (s *Server) OpenFile(ctx context.Context, user, messageID string) (imstore.FileMeta, *os.File, error) {
	msg, err := s.userMessage(user, messageID)
	if err != nil {
		return imstore.FileMeta{}, nil, err
	}
	if msg.FileID == "" {
		return imstore.FileMeta{}, nil, fmt.Errorf("%w: message %s is a %s message and carries no file", imstore.ErrInvalid, messageID, msg.MessageType)
	}
	meta, err := s.st.GetFile(msg.FileID)
	if errors.Is(err, imstore.ErrNotFound) {
		var v any
		v, err, _ = s.files.downloads.Do(msg.FileID, func() (any, error) { return s.fetch(context.WithoutCancel(ctx), msg) })
		meta, _ = v.(imstore.FileMeta)
	}
	if err != nil {
		return meta, nil, err
	}
	content, err := s.files.blobs.Open(meta.ContentHash)
	return meta, content, err
}

// userMessage finds messageID in user's inbox, or among the messages user
// sent.
func (s *Server) userMessage(user, messageID string) (imstore.Message, error) {
	in, err := s.st.InboxMessageByID(user, messageID)
	if err == nil {
		return in.Message, nil
	}
	if !errors.Is(err, imstore.ErrNotFound) {
		return imstore.Message{}, err
	}
	sent, serr := s.st.GetSent(messageID)
	if serr == nil && sent.User == user {
		return sent.Message, nil
	}
	return imstore.Message{}, err
}

// fetch downloads msg's file from its origin into the blob store. The
// download streams through a pipe into the store, which keeps it only if
// the origin's signature over the whole body verified and size and md5 are
// those the message announced.
func (s *Server) fetch(ctx context.Context, msg imstore.Message) (imstore.FileMeta, error) {
	var c mediaContent
	if err := json.Unmarshal(msg.Content, &c); err != nil {
		return imstore.FileMeta{}, fmt.Errorf("message %s: unreadable content: %w", msg.MessageID, err)
	}
	size, err := strconv.ParseInt(c.Size, 10, 64)
	if c.Size == "" || err != nil || size < 0 {
		return imstore.FileMeta{}, fmt.Errorf("%w: message %s announces no usable size (%q), so its file cannot be checked", imstore.ErrInvalid, msg.MessageID, c.Size)
	}
	if size > s.cfg.MaxFileSize {
		return imstore.FileMeta{}, fmt.Errorf("%w: file %s is %d bytes, above this server's limit of %d (maxFileSize)", imstore.ErrTooLarge, msg.FileID, size, s.cfg.MaxFileSize)
	}
	peer, err := s.peerOf(ctx, msg.FileID)
	if err != nil {
		return imstore.FileMeta{}, err
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := s.peers.Download(ctx, peer, msg.FileID, pw, size)
		pw.CloseWithError(err)
	}()
	var blob imstore.Blob
	if c.MD5 == "" {
		if blob, err = s.files.blobs.Put(pr, size); err == nil && blob.Size != size {
			err = &imstore.MismatchError{Field: "size", Want: strconv.FormatInt(size, 10), Have: strconv.FormatInt(blob.Size, 10)}
		}
	} else {
		blob, err = s.files.blobs.PutExpect(pr, size, strings.ToLower(c.MD5))
	}
	pr.CloseWithError(err) // unblocks the download if the store gave up first
	if errors.Is(err, client.ErrTooLarge) || errors.Is(err, imstore.ErrTooLarge) {
		err = &imstore.MismatchError{Field: "size", Want: c.Size, Have: "more bytes"}
	}
	if err != nil {
		return imstore.FileMeta{}, fmt.Errorf("downloading file %s from %s: %w", msg.FileID, peer, err)
	}
	return s.st.PutFile(imstore.FileMeta{FileID: msg.FileID, Name: c.Name, Size: blob.Size, MD5: blob.MD5, ContentHash: blob.Hash})
}

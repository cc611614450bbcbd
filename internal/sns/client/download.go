package client

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/imictl/imictl/internal/sns/wire"
)

// Downloaded describes a file fetched with Download.
type Downloaded struct {
	Peer        string // the serverId that signed the answer
	Size        int64
	MD5         string // lower-case hex, to compare with the message's md5
	ContentType string
}

// ErrTooLarge is returned (wrapped) when a download exceeds its maxSize.
var ErrTooLarge = errors.New("file too large")

// Download fetches fileID from peer (S2, GET download/file?fileID=) and
// streams it to w, never holding the whole file in memory, computing its
// size and MD5. The body is authenticated only at its end (its SM3 digest
// is signed): on any error, what was written to w must be discarded, so
// give a temporary file and keep it only on success. A file larger than
// maxSize (> 0) is refused with ErrTooLarge, before reading when the peer
// declares its length.
//
// The peer sends the file as anything but application/json; a JSON answer
// is the standard's envelope, a refusal.
func (c *Client) Download(ctx context.Context, peer Peer, fileID string, w io.Writer, maxSize int64, opts ...CallOption) (Downloaded, error) {
	if err := wire.RequireID("fileID", fileID); err != nil {
		return Downloaded{}, err
	}
	var co callOptions
	for _, opt := range opts {
		opt(&co)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.DownloadTimeout)
	defer cancel()
	path := withQuery(PathDownload, "fileID", fileID)
	o, err := c.open(ctx, peer, http.MethodGet, path, nil)
	if err != nil {
		return Downloaded{}, err
	}
	ct, _, _ := mime.ParseMediaType(o.resp.Header.Get("Content-Type"))
	if o.resp.StatusCode != http.StatusOK || ct == "application/json" {
		raw, err := c.finish(o)
		if co.raw != nil {
			*co.raw = raw
		}
		if err == nil {
			err = fmt.Errorf("%s answered the download of %s with an envelope but no file (code %d): a file must not be sent as application/json", o.peer, fileID, raw.Envelope.Code)
		}
		return Downloaded{}, err
	}
	c.trace(o.req, nil, o.resp, nil)
	defer o.resp.Body.Close()
	d := Downloaded{Peer: o.peer, ContentType: o.resp.Header.Get("Content-Type")}
	tooLarge := func() error {
		return fmt.Errorf("%w: %s of %s is more than %d bytes (raise the limit if you trust it)", ErrTooLarge, fileID, o.peer, maxSize)
	}
	if maxSize > 0 && o.resp.ContentLength > maxSize {
		return d, tooLarge()
	}
	src := io.Reader(o.resp.Body)
	if maxSize > 0 {
		src = io.LimitReader(src, maxSize+1)
	}
	sum := md5.New()
	n, err := io.Copy(io.MultiWriter(w, sum, o.check), src)
	d.Size = n
	switch {
	case err != nil:
		return d, fmt.Errorf("downloading %s from %s: %w", fileID, o.peer, err)
	case maxSize > 0 && n > maxSize:
		return d, tooLarge()
	}
	if err := o.check.Verify(); err != nil {
		return d, err
	}
	d.MD5 = hex.EncodeToString(sum.Sum(nil))
	return d, nil
}

package server

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/imictl/imictl/internal/mgmt"
)

// listenAdmin creates the admin socket: its directory 0700, the socket
// 0600. A socket file left by a crashed server is removed: the caller holds
// the store's lock, so no other server of this data directory is running.
func listenAdmin(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := os.Chmod(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, fmt.Errorf("%s exists and is not a socket: move it away", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	// The directory is 0700 already, so the window before this chmod
	// exposes nothing.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

type connKey struct{}

// withConn puts the connection in the request context, for peerCheck.
func withConn(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// peerCheck refuses admin calls from another user than the server's, or
// root, where the system tells who is at the other end of the socket
// (SO_PEERCRED on Linux). The socket's mode already keeps others out; this
// also holds if an administrator loosens it by mistake.
func peerCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Context().Value(connKey{}).(net.Conn)
		if uid, ok := peerUID(c); ok && uid != 0 && uid != uint32(os.Getuid()) {
			writeAdminError(w, fmt.Errorf("%w: user %d may not use the admin API of a server run by user %d", mgmt.ErrForbidden, uid, os.Getuid()))
			return
		}
		next.ServeHTTP(w, r)
	})
}

package imserver

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
)

// listenAdmin opens the admin API's unix socket, 0600 in a 0700
// directory: only this server's user may operate it. A socket file left by
// a server that crashed is removed; the store's lock, held already, proves
// no other server runs on this data directory.
func (s *Server) listenAdmin() error {
	path := SocketPath(s.cfg.DataDir)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the stale admin socket %s: %w", path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("admin socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("admin socket: %w", err)
	}
	s.adminLn = ln
	s.adminSrv = &http.Server{Handler: s.adminRoutes(), ReadHeaderTimeout: readHeaderTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes}
	return nil
}

func (s *Server) adminRoutes() http.Handler {
	return http.NewServeMux()
}

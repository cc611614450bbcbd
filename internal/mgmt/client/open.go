package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// OpenAdmin gives the admin commands the management server of dataDir:
// the running server through its admin socket when one answers (within
// DialTimeout), else the database opened directly (mgmt.OpenLocal, waiting
// at most a second for its lock). o.CAPassword is asked only when a local
// operation needs the CA key; a running server has it loaded already.
// Close the Closer when done.
//
// When the database is locked but the socket does not answer (a server
// still starting, or one run from another data directory path by another
// user), the error matches store.ErrLocked and says what to do.
func OpenAdmin(ctx context.Context, dataDir string, o mgmt.LocalOptions) (mgmt.Admin, io.Closer, error) {
	sock := mgmt.SocketPath(dataDir)
	var sockErr error
	if _, err := os.Stat(sock); err == nil {
		a := NewAdmin(sock)
		hctx, cancel := context.WithTimeout(ctx, 2*DialTimeout)
		_, sockErr = a.Health(hctx)
		cancel()
		if sockErr == nil {
			return a, a, nil
		}
		a.Close()
	}
	svc, closer, err := mgmt.OpenLocal(dataDir, o)
	if errors.Is(err, store.ErrLocked) {
		why := "there is no admin socket " + sock
		if sockErr != nil {
			why = fmt.Sprintf("its admin socket does not answer (%v)", sockErr)
		}
		return nil, nil, fmt.Errorf("%w: the database %s is held by a running process, but %s; if the server is starting, retry in a moment; otherwise stop the process holding the file (see `fuser %s`)",
			store.ErrLocked, mgmt.DBPath(dataDir), why, mgmt.DBPath(dataDir))
	}
	if err != nil {
		return nil, nil, err
	}
	return svc, closer, nil
}

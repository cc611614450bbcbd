package imserver

import (
	"net/http"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// receiveNotifyPath is M3, served by every IM server and called by the
// management server when a server is added, modified, suspended, resumed
// or cancelled.
const receiveNotifyPath = "/sns/restApi/imServer/servermgr/receivenotify"

// handleReceiveNotify is M3: only the management server may call it. The
// changed record is fetched again in the background, so the answer does
// not wait for a call back to the management server. The verifier's cache
// drops the record once the new one is stored: a call in between is judged
// on the old record.
func (s *Server) handleReceiveNotify(w http.ResponseWriter, r *http.Request) {
	origin, _ := httpsig.OriginFrom(r.Context())
	if origin != s.cfg.MgmtServerID {
		writeJSON(w, http.StatusForbidden, api.Fail(ReasonWrongSender, "only the management server "+s.cfg.MgmtServerID+" sends change notifications, not "+origin))
		return
	}
	var req api.ReceiveNotifyRequest
	if err := decodeBody(r, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, api.Fail(ReasonBadRequest, err.Error()))
		return
	}
	s.dir.notify(req.ServerID)
	writeJSON(w, http.StatusOK, api.ReceiveNotifyResponse{Envelope: api.OK()})
}

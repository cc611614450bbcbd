package conformance

import (
	"fmt"
	"net/http"

	"github.com/imictl/imictl/internal/sns/httpsig"
)

// receiveNotifyPath is M3, which every IM server serves and only the
// management server may call. Its envelope is the management one: code
// is a string.
const receiveNotifyPath = "/sns/restApi/imServer/servermgr/receivenotify"

// M3: the suite is not the management server, so all it can check is that
// the target refuses it, in the management envelope.
var mgmtCases = []Case{
	{ID: "M3.not-management", Area: "M3", Title: `a change notification from a server other than the management server: 403 wrong_sender, code the string "1"`,
		Run: func(t *T) error {
			a, err := t.post(receiveNotifyPath, t.notification())
			return t.refusedOrErr(a, err, http.StatusForbidden, "wrong_sender")
		}},
	{ID: "M3.unsigned", Area: "M3", Title: `an unsigned change notification: 401 signature_missing, code the string "1"`,
		Run: func(t *T) error {
			a, err := t.do(call{method: http.MethodPost, path: receiveNotifyPath, body: []byte(t.notification()), unsigned: true})
			return t.refusedOrErr(a, err, http.StatusUnauthorized, httpsig.ReasonSignatureMissing)
		}},
}

func (t *T) notification() string { return fmt.Sprintf(`{"serverId":%s}`, jsonString(t.Self())) }

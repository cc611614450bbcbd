package pki

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/imictl/imictl/internal/ids"
)

// DefaultUID is the SM2 user (distinguishing) id used for every signature:
// the GM/T 0009 default, `-sigopt distid:1234567812345678` in OpenSSL.
const DefaultUID = "1234567812345678"

// serverIDURIPrefix names a serverId in a certificate's URI SAN.
const serverIDURIPrefix = "urn:imi:server:"

// ValidateServerID enforces the standard's rule (table 1): letters, digits,
// '_' and '-' only, at most 64 characters. The rule itself is ids'; this
// wraps it in messages for people typing an id (what is wrong, an example).
func ValidateServerID(id string) error {
	if ids.ValidateServerID(id) == nil {
		return nil
	}
	switch {
	case id == "":
		return fmt.Errorf("serverId is empty: give the server's id, e.g. vrv_linkdood")
	case len(id) > 64:
		return fmt.Errorf("serverId %q is %d characters long: at most 64 are allowed", id, len(id))
	default:
		return fmt.Errorf("serverId %q is invalid: only letters, digits, '_' and '-' are allowed (e.g. vrv_linkdood)", id)
	}
}

// ServerIDURI is the URI SAN that binds a certificate to serverId id.
func ServerIDURI(id string) *url.URL {
	return &url.URL{Scheme: "urn", Opaque: strings.TrimPrefix(serverIDURIPrefix, "urn:") + id}
}

// serverIDFromURIs returns the serverIds named by URI SANs of our form.
func serverIDFromURIs(uris []*url.URL) []string {
	var found []string
	for _, u := range uris {
		if s := u.String(); strings.HasPrefix(s, serverIDURIPrefix) {
			found = append(found, strings.TrimPrefix(s, serverIDURIPrefix))
		}
	}
	return found
}

// boundServerID checks the binding rule shared by CSRs and certificates:
// exactly one URI SAN names the serverId, and the subject CN repeats it.
func boundServerID(cn string, uris []*url.URL) (string, error) {
	if name := adminNameFromURIs(uris); len(name) > 0 {
		// An administrator's identity never doubles as a server's: the
		// two profiles stay apart whatever a CSR asks for.
		return "", fmt.Errorf("a URI SAN names administrator %q (%s%s): an IM server's certificate names no administrator", name[0], adminURIPrefix, name[0])
	}
	found := serverIDFromURIs(uris)
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no %s<serverId> URI SAN: it does not name an IM server", serverIDURIPrefix)
	case 1:
	default:
		return "", fmt.Errorf("%d serverId URI SANs (%s): exactly one is allowed", len(found), strings.Join(found, ", "))
	}
	id := found[0]
	if err := ValidateServerID(id); err != nil {
		return "", err
	}
	if cn != id {
		return "", fmt.Errorf("subject CN %q differs from the serverId %q of its URI SAN", cn, id)
	}
	return id, nil
}
